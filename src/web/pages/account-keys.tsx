import { Button, MessageBar, MessageBarBody, MessageBarTitle, Switch } from "@fluentui/react-components";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { API_VERSIONS, arm } from "../api.ts";
import type { Account } from "../arm-types.ts";
import { CodeBlock, ErrorBar } from "../components.tsx";

/** Show and regenerate the account's two keys; turn key (local) authentication off or on. */
export function AccountKeys(props: { account: Account }) {
  const { account } = props;
  const queries = useQueryClient();
  const [shown, setShown] = useState(false);
  const keys = useQuery({
    queryKey: ["keys", account.id],
    queryFn: () => arm.post<{ key1: string; key2: string }>(`${account.id}/listKeys`, API_VERSIONS.cognitive),
    enabled: shown,
  });
  const regenerate = useMutation({
    mutationFn: (keyName: "Key1" | "Key2") => arm.post(`${account.id}/regenerateKey`, API_VERSIONS.cognitive, { keyName }),
    onSuccess: () => queries.invalidateQueries({ queryKey: ["keys", account.id] }),
  });
  const localAuth = useMutation({
    mutationFn: (disableLocalAuth: boolean) => arm.patch(account.id, API_VERSIONS.cognitive, { properties: { disableLocalAuth } }),
    onSuccess: () => queries.invalidateQueries({ queryKey: ["account", account.id] }),
  });
  const disabled = account.properties.disableLocalAuth === true;
  return (
    <div style={{ display: "flex", flexDirection: "column", gap: 12, maxWidth: 760 }}>
      <MessageBar intent="warning" layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>Keys are shared secrets</MessageBarTitle>
          Anyone holding a key can call every deployment of this account, and no role assignment or audit names them. Prefer Microsoft Entra
          ID and turn key authentication off.
        </MessageBarBody>
      </MessageBar>
      <Switch
        checked={!disabled}
        disabled={localAuth.isPending}
        label={disabled ? "Key authentication is off (Microsoft Entra ID only)" : "Key authentication is on"}
        onChange={(_e, d) => {
          const turningOff = !d.checked;
          const warning = turningOff
            ? "Turn key authentication off? Every caller that uses a key (api-key header) is refused at once; only Microsoft Entra ID tokens work."
            : "Turn key authentication on? Both keys start working again.";
          if (confirm(warning)) localAuth.mutate(turningOff);
        }}
      />
      <ErrorBar error={keys.error ?? regenerate.error ?? localAuth.error} />
      {!shown ? (
        <Button style={{ alignSelf: "start" }} onClick={() => setShown(true)}>
          Show keys
        </Button>
      ) : null}
      {keys.data
        ? (["key1", "key2"] as const).map((name) => (
            <div key={name}>
              <strong>{name === "key1" ? "KEY 1" : "KEY 2"}</strong>
              <CodeBlock code={keys.data[name]} label={name === "key1" ? "Key 1" : "Key 2"} />
              <Button
                size="small"
                disabled={regenerate.isPending}
                onClick={() =>
                  confirm(`Regenerate ${name}? The current ${name} stops working at once.`) &&
                  regenerate.mutate(name === "key1" ? "Key1" : "Key2")
                }
              >
                Regenerate {name === "key1" ? "Key 1" : "Key 2"}
              </Button>
            </div>
          ))
        : null}
    </div>
  );
}
