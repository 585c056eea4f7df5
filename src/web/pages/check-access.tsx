import {
  Button,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Radio,
  RadioGroup,
  Subtitle2,
} from "@fluentui/react-components";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { API_VERSIONS, arm } from "../api.ts";
import { ErrorBar } from "../components.tsx";
import { type Principal, PrincipalPicker } from "../principal-picker.tsx";

interface Explanation {
  allowed: boolean;
  scope: string;
  grants: { roleName: string; scope: string; matchedPermission: string }[];
  missing?: string;
  suggestedRoles: { roleName: string }[];
}

/** Check access: would this principal be allowed this action or data action here, and why (not)? */
export function CheckAccess(props: { scope: string }) {
  const [who, setWho] = useState<Principal>();
  const [kind, setKind] = useState<"dataAction" | "action">("dataAction");
  const [operation, setOperation] = useState("Microsoft.CognitiveServices/accounts/OpenAI/deployments/chat/completions/action");
  const check = useMutation({
    mutationFn: () =>
      arm.post<Explanation>(`${props.scope}/providers/Microsoft.Authorization/checkAccess`, API_VERSIONS.roleAssignments, {
        ...(who ? { principalId: who.id } : {}),
        [kind]: operation,
      }),
  });
  const result = check.data;
  return (
    <section aria-label="Check access" style={{ display: "flex", flexDirection: "column", gap: 8, maxWidth: 760 }}>
      <Subtitle2 as="h2">Check access</Subtitle2>
      <p style={{ margin: 0 }}>{who ? `Checking ${who.displayName}.` : "Checking your own access; pick someone below to check theirs."}</p>
      <PrincipalPicker picked={who} onPick={setWho} />
      <RadioGroup layout="horizontal" value={kind} onChange={(_e, d) => setKind(d.value as typeof kind)} aria-label="Kind of operation">
        <Radio value="dataAction" label="Data action" />
        <Radio value="action" label="Action" />
      </RadioGroup>
      <Field label="Operation">
        <Input value={operation} onChange={(_e, d) => setOperation(d.value)} />
      </Field>
      <Button style={{ alignSelf: "start" }} onClick={() => check.mutate()} disabled={!operation || check.isPending}>
        Check access
      </Button>
      <ErrorBar error={check.error} />
      {result ? (
        <div role="status" aria-label="Check access result">
          <MessageBar intent={result.allowed ? "success" : "warning"} layout="multiline">
            <MessageBarBody>
              <MessageBarTitle>{result.allowed ? "Allowed" : "Not allowed"}</MessageBarTitle>
              {result.allowed
                ? result.grants.map((g) => `Granted by ${g.roleName} at ${g.scope} (${g.matchedPermission}).`).join(" ")
                : `${result.missing ?? ""} ${result.suggestedRoles.length ? `Roles that would grant it: ${result.suggestedRoles.map((r) => r.roleName).join(", ")}.` : ""}`}
            </MessageBarBody>
          </MessageBar>
        </div>
      ) : null}
    </section>
  );
}
