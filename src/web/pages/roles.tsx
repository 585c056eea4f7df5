import { Button, Field, Input, Subtitle2, Textarea } from "@fluentui/react-components";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { API_VERSIONS, arm } from "../api.ts";
import type { RoleDefinition } from "../arm-types.ts";
import { DataTable, ErrorBar, Loading } from "../components.tsx";
import { useRoleDefinitions } from "../queries.ts";
import { type PickedPermission, PermissionPicker } from "./permission-picker.tsx";

/** The JSON `az role definition create --role-definition` takes. */
interface AzRoleJson {
  Name?: string;
  Description?: string;
  Actions?: string[];
  NotActions?: string[];
  DataActions?: string[];
  NotDataActions?: string[];
  AssignableScopes?: string[];
}

const template = (scope: string) =>
  JSON.stringify(
    {
      Name: "Model caller",
      Description: "Calls chat completions and embeddings; nothing else.",
      Actions: [],
      NotActions: [],
      DataActions: ["Microsoft.CognitiveServices/accounts/OpenAI/deployments/chat/completions/action"],
      NotDataActions: [],
      AssignableScopes: [scope],
    },
    null,
    2,
  );

/** Built-in and custom roles at a scope; a custom role is written as the JSON `az role definition create` takes. */
export function Roles(props: { scope: string }) {
  const queries = useQueryClient();
  const roles = useRoleDefinitions(props.scope);
  const [filter, setFilter] = useState("");
  const [json, setJson] = useState(() => template(props.scope));
  const [editing, setEditing] = useState<string>();
  const refresh = () => queries.invalidateQueries({ queryKey: ["roleDefinitions"] });
  const save = useMutation({
    mutationFn: () => {
      const role = JSON.parse(json) as AzRoleJson;
      const id = editing ?? crypto.randomUUID();
      return arm.put(`${props.scope}/providers/Microsoft.Authorization/roleDefinitions/${id}`, API_VERSIONS.roleDefinitions, {
        properties: {
          roleName: role.Name,
          description: role.Description ?? "",
          type: "CustomRole",
          permissions: [
            {
              actions: role.Actions ?? [],
              notActions: role.NotActions ?? [],
              dataActions: role.DataActions ?? [],
              notDataActions: role.NotDataActions ?? [],
            },
          ],
          assignableScopes: role.AssignableScopes ?? [props.scope],
        },
      });
    },
    onSuccess: () => {
      setEditing(undefined);
      void refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (r: RoleDefinition) => arm.delete(r.id, API_VERSIONS.roleDefinitions),
    onSettled: refresh,
  });
  const edit = (r: RoleDefinition) => {
    const p = r.properties.permissions[0];
    setEditing(r.name);
    setJson(
      JSON.stringify(
        {
          Name: r.properties.roleName,
          Description: r.properties.description ?? "",
          Actions: p?.actions ?? [],
          NotActions: p?.notActions ?? [],
          DataActions: p?.dataActions ?? [],
          NotDataActions: p?.notDataActions ?? [],
          AssignableScopes: r.properties.assignableScopes,
        },
        null,
        2,
      ),
    );
  };
  const [jsonError, setJsonError] = useState<unknown>();
  const addPermission = (p: PickedPermission) => {
    try {
      const role = JSON.parse(json) as AzRoleJson;
      const names = new Set(role[p.kind] ?? []);
      names.add(p.name);
      setJson(JSON.stringify({ ...role, [p.kind]: [...names] }, null, 2));
      setJsonError(undefined);
    } catch (err) {
      setJsonError(new Error(`Fix the JSON first: ${(err as Error).message}`));
    }
  };
  const rows = (roles.data ?? []).filter((r) => r.properties.roleName.toLowerCase().includes(filter.toLowerCase()));
  return (
    <div style={{ display: "flex", flexDirection: "column", gap: 12 }}>
      <Subtitle2 as="h2">{editing ? "Edit custom role" : "New custom role"} (JSON)</Subtitle2>
      <Field
        label="Role definition"
        hint="The JSON of az role definition create: Name, Description, Actions, NotActions, DataActions, NotDataActions, AssignableScopes."
      >
        <Textarea value={json} onChange={(_e, d) => setJson(d.value)} rows={12} style={{ fontFamily: "monospace" }} />
      </Field>
      <PermissionPicker roles={roles.data ?? []} onPick={addPermission} />
      <ErrorBar error={jsonError} />
      <div style={{ display: "flex", gap: 8 }}>
        <Button appearance="primary" onClick={() => save.mutate()} disabled={save.isPending}>
          {editing ? "Save custom role" : "Create custom role"}
        </Button>
        {editing ? (
          <Button
            onClick={() => {
              setEditing(undefined);
              setJson(template(props.scope));
            }}
          >
            Cancel
          </Button>
        ) : null}
      </div>
      <ErrorBar error={save.error ?? remove.error ?? roles.error} />
      <Input aria-label="Filter roles" placeholder="Filter roles" value={filter} onChange={(_e, d) => setFilter(d.value)} />
      {roles.isPending ? <Loading what="roles" /> : null}
      <DataTable
        label="Roles"
        rows={rows}
        rowKey={(r) => r.id}
        columns={[
          { title: "Name", render: (r) => r.properties.roleName },
          { title: "Type", render: (r) => (r.properties.type === "CustomRole" ? "Custom" : "Built-in") },
          { title: "Description", render: (r) => r.properties.description },
          {
            title: "",
            render: (r) =>
              r.properties.type === "CustomRole" ? (
                <span style={{ display: "flex", gap: 4 }}>
                  <Button size="small" onClick={() => edit(r)} aria-label={`Edit ${r.properties.roleName}`}>
                    Edit
                  </Button>
                  <Button
                    size="small"
                    onClick={() => confirm(`Delete ${r.properties.roleName}?`) && remove.mutate(r)}
                    aria-label={`Delete ${r.properties.roleName}`}
                  >
                    Delete
                  </Button>
                </span>
              ) : null,
          },
        ]}
      />
    </div>
  );
}
