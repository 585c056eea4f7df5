import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  Radio,
  RadioGroup,
  Tab,
  TabList,
  Textarea,
} from "@fluentui/react-components";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { API_VERSIONS, arm } from "../api.ts";
import type { RoleDefinition } from "../arm-types.ts";
import { ErrorBar, Loading } from "../components.tsx";
import { type Principal, PrincipalPicker } from "../principal-picker.tsx";
import { useRoleDefinitions } from "../queries.ts";

type Step = "role" | "members" | "review";

/** Azure's wizard: pick a role, then the member (searched through Graph), then review and assign. */
export function AddRoleAssignment(props: { scope: string; onClose: () => void; onDone: () => void }) {
  const roles = useRoleDefinitions(props.scope);
  const [step, setStep] = useState<Step>("role");
  const [search, setSearch] = useState("");
  const [role, setRole] = useState<RoleDefinition>();
  const [member, setMember] = useState<Principal>();
  const [condition, setCondition] = useState("");
  const assign = useMutation({
    mutationFn: () =>
      arm.put(`${props.scope}/providers/Microsoft.Authorization/roleAssignments/${crypto.randomUUID()}`, API_VERSIONS.roleAssignments, {
        properties: {
          roleDefinitionId: role!.id,
          principalId: member!.id,
          principalType: member!.type,
          ...(condition.trim() ? { condition: condition.trim(), conditionVersion: "2.0" } : {}),
        },
      }),
    onSuccess: () => {
      props.onDone();
      props.onClose();
    },
  });
  const shown = (roles.data ?? []).filter((r) => r.properties.roleName.toLowerCase().includes(search.toLowerCase()));
  return (
    <Dialog open onOpenChange={(_e, d) => !d.open && props.onClose()}>
      <DialogSurface style={{ maxWidth: 720 }}>
        <DialogBody>
          <DialogTitle>Add role assignment</DialogTitle>
          <DialogContent style={{ display: "flex", flexDirection: "column", gap: 12 }}>
            <TabList selectedValue={step} onTabSelect={(_e, d) => setStep(d.value as Step)}>
              <Tab value="role">Role</Tab>
              <Tab value="members" disabled={!role}>
                Members
              </Tab>
              <Tab value="review" disabled={!role || !member}>
                Review + assign
              </Tab>
            </TabList>
            {step === "role" ? (
              <>
                <Input
                  aria-label="Search roles"
                  placeholder="Search by role name"
                  value={search}
                  onChange={(_e, d) => setSearch(d.value)}
                />
                {roles.isPending ? <Loading what="roles" /> : null}
                <ErrorBar error={roles.error} />
                <RadioGroup
                  aria-label="Role"
                  value={role?.id ?? ""}
                  onChange={(_e, d) => setRole(roles.data?.find((r) => r.id === d.value))}
                  style={{ maxHeight: 300, overflowY: "auto", flexWrap: "nowrap" }}
                >
                  {shown.map((r) => (
                    <Radio
                      key={r.id}
                      value={r.id}
                      label={`${r.properties.roleName}${r.properties.type === "CustomRole" ? " (custom)" : ""}`}
                    />
                  ))}
                </RadioGroup>
              </>
            ) : null}
            {step === "members" ? <PrincipalPicker picked={member} onPick={setMember} /> : null}
            {step === "review" && role && member ? (
              <>
                <dl style={{ margin: 0 }}>
                  <dt>Role</dt>
                  <dd>{role.properties.roleName}</dd>
                  <dt>Scope</dt>
                  <dd style={{ overflowWrap: "anywhere" }}>{props.scope}</dd>
                  <dt>Member</dt>
                  <dd>
                    {member.displayName} ({member.type})
                  </dd>
                </dl>
                <Field label="Condition (optional, ABAC version 2.0)">
                  <Textarea value={condition} onChange={(_e, d) => setCondition(d.value)} />
                </Field>
                <ErrorBar error={assign.error} />
              </>
            ) : null}
          </DialogContent>
          <DialogActions>
            <Button onClick={props.onClose}>Cancel</Button>
            {step === "role" ? (
              <Button appearance="primary" disabled={!role} onClick={() => setStep("members")}>
                Next
              </Button>
            ) : null}
            {step === "members" ? (
              <Button appearance="primary" disabled={!member} onClick={() => setStep("review")}>
                Next
              </Button>
            ) : null}
            {step === "review" ? (
              <Button appearance="primary" disabled={assign.isPending} onClick={() => assign.mutate()}>
                Review + assign
              </Button>
            ) : null}
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
