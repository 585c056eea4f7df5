import { Button, Field, Input } from "@fluentui/react-components";
import { useMemo, useState } from "react";
import type { RoleDefinition } from "../arm-types.ts";

export interface PickedPermission {
  kind: "Actions" | "DataActions";
  name: string;
}

/** Every action and data action the built-in roles name, searchable; picking one adds it to the role's JSON. */
export function PermissionPicker(props: { roles: RoleDefinition[]; onPick: (p: PickedPermission) => void }) {
  const [text, setText] = useState("");
  const all = useMemo(() => {
    const seen = new Map<string, PickedPermission>();
    for (const role of props.roles.filter((r) => r.properties.type !== "CustomRole")) {
      for (const block of role.properties.permissions) {
        for (const name of block.actions) seen.set(`a:${name}`, { kind: "Actions", name });
        for (const name of block.dataActions ?? []) seen.set(`d:${name}`, { kind: "DataActions", name });
      }
    }
    return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name));
  }, [props.roles]);
  const needle = text.toLowerCase();
  const shown = needle ? all.filter((p) => p.name.toLowerCase().includes(needle)).slice(0, 25) : [];
  return (
    <div style={{ display: "flex", flexDirection: "column", gap: 4 }}>
      <Field label="Add a permission" hint="Search the actions and data actions of the built-in roles.">
        <Input value={text} onChange={(_e, d) => setText(d.value)} placeholder="e.g. chat/completions" />
      </Field>
      <ul aria-label="Permissions" style={{ listStyle: "none", padding: 0, margin: 0, maxHeight: 200, overflowY: "auto" }}>
        {shown.map((p) => (
          <li key={`${p.kind}:${p.name}`} style={{ display: "flex", gap: 8, alignItems: "center", padding: "2px 0" }}>
            <Button size="small" onClick={() => props.onPick(p)} aria-label={`Add ${p.name}`}>
              Add
            </Button>
            <span style={{ overflowWrap: "anywhere" }}>
              {p.name} <small>({p.kind === "Actions" ? "action" : "data action"})</small>
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
