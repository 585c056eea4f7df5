import { Button, Input, Subtitle2 } from "@fluentui/react-components";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { API_VERSIONS, arm } from "../api.ts";
import type { RoleAssignment } from "../arm-types.ts";
import { DataTable, describeScope, ErrorBar, Loading, lastSegment } from "../components.tsx";
import { AddRoleAssignment } from "./add-role-assignment.tsx";
import { CheckAccess } from "./check-access.tsx";
import { usePrincipalNames, useRoleDefinitions } from "../queries.ts";

const auth = (scope: string) => `${scope}/providers/Microsoft.Authorization`;

/** Access control (IAM) at one scope: who has which role here (and from where), add, remove, check access. */
export function AccessControl(props: { scope: string }) {
  const { scope } = props;
  const queries = useQueryClient();
  const key = ["assignments", scope];
  const assignments = useQuery({
    queryKey: key,
    queryFn: () => arm.list<RoleAssignment>(`${auth(scope)}/roleAssignments`, API_VERSIONS.roleAssignments, { $filter: "atScope()" }),
  });
  const roles = useRoleDefinitions(scope);
  const names = usePrincipalNames([...new Set((assignments.data ?? []).map((a) => a.properties.principalId))]);
  const [filter, setFilter] = useState("");
  const [adding, setAdding] = useState(false);
  // The wizard mounts only while open, so focus is handed back to its opener by hand when it closes.
  const opener = useRef<HTMLElement | null>(null);
  const closeWizard = () => {
    setAdding(false);
    opener.current?.focus();
  };
  const remove = useMutation({
    mutationFn: (id: string) => arm.delete(id, API_VERSIONS.roleAssignments),
    onSettled: () => queries.invalidateQueries({ queryKey: key }),
  });
  const roleName = (id: string) => roles.data?.find((r) => r.id.toLowerCase() === id.toLowerCase())?.properties.roleName ?? lastSegment(id);
  const principal = (id: string) => names.data?.get(id) ?? id;
  const rows = (assignments.data ?? []).filter((a) => {
    const needle = filter.toLowerCase();
    return (
      !needle ||
      principal(a.properties.principalId).toLowerCase().includes(needle) ||
      roleName(a.properties.roleDefinitionId).toLowerCase().includes(needle)
    );
  });
  return (
    <div style={{ display: "flex", flexDirection: "column", gap: 12 }}>
      <div style={{ display: "flex", gap: 8, flexWrap: "wrap" }}>
        <Button
          appearance="primary"
          onClick={(e) => {
            opener.current = e.currentTarget;
            setAdding(true);
          }}
        >
          Add role assignment
        </Button>
        <Input
          aria-label="Filter by principal or role"
          placeholder="Filter by principal or role"
          value={filter}
          onChange={(_e, d) => setFilter(d.value)}
        />
      </div>
      {adding ? (
        <AddRoleAssignment scope={scope} onClose={closeWizard} onDone={() => queries.invalidateQueries({ queryKey: key })} />
      ) : null}
      <Subtitle2 as="h2">Role assignments</Subtitle2>
      <ErrorBar error={assignments.error ?? remove.error} />
      {assignments.isPending ? <Loading what="role assignments" /> : null}
      {assignments.data ? (
        <DataTable
          label="Role assignments"
          rows={rows}
          rowKey={(a) => a.id}
          empty="No role assignments at or above this scope match."
          columns={[
            { title: "Principal", render: (a) => principal(a.properties.principalId) },
            { title: "Type", render: (a) => a.properties.principalType },
            { title: "Role", render: (a) => roleName(a.properties.roleDefinitionId) },
            {
              title: "Scope",
              render: (a) =>
                a.properties.scope.toLowerCase() === scope.toLowerCase() ? (
                  "This resource"
                ) : (
                  <span title={a.properties.scope}>Inherited from {describeScope(a.properties.scope)}</span>
                ),
            },
            {
              title: "",
              render: (a) =>
                a.properties.scope.toLowerCase() === scope.toLowerCase() ? (
                  <Button
                    size="small"
                    aria-label={`Remove ${roleName(a.properties.roleDefinitionId)} for ${principal(a.properties.principalId)}`}
                    onClick={() => confirm("Remove this role assignment?") && remove.mutate(a.id)}
                  >
                    Remove
                  </Button>
                ) : null,
            },
          ]}
        />
      ) : null}
      <CheckAccess scope={scope} />
    </div>
  );
}
