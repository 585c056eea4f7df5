import { Button, Field, Input, Radio, RadioGroup } from "@fluentui/react-components";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { list } from "./api.ts";
import type { DirectoryObject } from "./arm-types.ts";
import { ErrorBar } from "./components.tsx";

type PrincipalKind = "users" | "groups" | "servicePrincipals";
export interface Principal {
  id: string;
  displayName: string;
  detail: string;
  type: "User" | "Group" | "ServicePrincipal";
}

const TYPES: Record<PrincipalKind, Principal["type"]> = { users: "User", groups: "Group", servicePrincipals: "ServicePrincipal" };
const LABELS: Record<PrincipalKind, string> = {
  users: "Users",
  groups: "Groups",
  servicePrincipals: "Service principals and managed identities",
};

/** Finds users, groups, service principals or managed identities through Graph, by the start of their name. */
export function PrincipalPicker(props: { onPick: (p: Principal) => void; picked?: Principal | undefined }) {
  const [kind, setKind] = useState<PrincipalKind>("users");
  const [text, setText] = useState("");
  const found = useQuery({
    queryKey: ["principals", kind, text],
    queryFn: async () => {
      const query: Record<string, string> = { $top: "20" };
      if (text) query.$filter = `startswith(displayName,'${text.replace(/'/g, "''")}')`;
      const objects = await list<DirectoryObject>("graph", `/${kind}`, query);
      return objects.map(
        (o): Principal => ({
          id: o.id,
          displayName: o.displayName ?? o.id,
          detail: o.userPrincipalName ?? o.appId ?? o.servicePrincipalType ?? o.mail ?? "",
          type: TYPES[kind],
        }),
      );
    },
  });
  return (
    <div style={{ display: "flex", flexDirection: "column", gap: 8 }}>
      <RadioGroup layout="horizontal" value={kind} onChange={(_e, d) => setKind(d.value as PrincipalKind)} aria-label="Member type">
        {(Object.keys(LABELS) as PrincipalKind[]).map((k) => (
          <Radio key={k} value={k} label={LABELS[k]} />
        ))}
      </RadioGroup>
      <Field label="Search by name">
        <Input value={text} onChange={(_e, d) => setText(d.value)} placeholder="Start of the display name" />
      </Field>
      <ErrorBar error={found.error} />
      <ul aria-label="Search results" style={{ listStyle: "none", padding: 0, margin: 0, maxHeight: 220, overflowY: "auto" }}>
        {(found.data ?? []).map((p) => (
          <li key={p.id} style={{ display: "flex", alignItems: "center", gap: 8, padding: "2px 0" }}>
            <Button
              size="small"
              appearance={props.picked?.id === p.id ? "primary" : "secondary"}
              onClick={() => props.onPick(p)}
              aria-label={`Select ${p.displayName}`}
            >
              {props.picked?.id === p.id ? "Selected" : "Select"}
            </Button>
            <span>
              {p.displayName} <small>{p.detail}</small>
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
