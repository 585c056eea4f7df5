import { Field, Input } from "@fluentui/react-components";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { API_VERSIONS, arm } from "../api.ts";
import { type ResourceGroup, paths, type Subscription as SubscriptionJson } from "../arm-types.ts";
import { Blade } from "../blade.tsx";
import { CreateForm, DataTable, DeleteButton, ErrorBar, Loading } from "../components.tsx";
import { AccessControl } from "./access-control.tsx";
import { Roles } from "./roles.tsx";

export function Subscription() {
  const { sub = "" } = useParams();
  const subscription = useQuery({
    queryKey: ["subscription", sub],
    queryFn: () => arm.get<SubscriptionJson>(paths.subscription(sub), API_VERSIONS.subscriptions),
  });
  const scope = paths.subscription(sub);
  return (
    <Blade
      title={subscription.data?.displayName ?? sub}
      crumbs={`Subscription · ${sub}`}
      tabs={[
        { id: "groups", label: "Resource groups", render: () => <ResourceGroups sub={sub} /> },
        { id: "iam", label: "Access control (IAM)", render: () => <AccessControl scope={scope} /> },
        { id: "roles", label: "Roles", render: () => <Roles scope={scope} /> },
      ]}
    />
  );
}

function ResourceGroups(props: { sub: string }) {
  const queries = useQueryClient();
  const key = ["groups", props.sub];
  const groups = useQuery({
    queryKey: key,
    queryFn: () => arm.list<ResourceGroup>(`${paths.subscription(props.sub)}/resourcegroups`, API_VERSIONS.resources),
  });
  const [name, setName] = useState("");
  const create = useMutation({
    mutationFn: () => arm.put(paths.group(props.sub, name), API_VERSIONS.resources, { location: "local" }),
    onSuccess: () => {
      setName("");
      void queries.invalidateQueries({ queryKey: key });
    },
  });
  const remove = useMutation({
    mutationFn: (rg: string) => arm.delete(paths.group(props.sub, rg), API_VERSIONS.resources),
    onSettled: () => queries.invalidateQueries({ queryKey: key }),
  });
  return (
    <>
      <CreateForm onSubmit={() => create.mutate()} disabled={!name || create.isPending}>
        <Field label="New resource group">
          <Input value={name} onChange={(_e, d) => setName(d.value)} required />
        </Field>
      </CreateForm>
      <ErrorBar error={groups.error ?? create.error ?? remove.error} />
      {groups.isPending ? <Loading what="resource groups" /> : null}
      {groups.data ? (
        <DataTable
          label="Resource groups"
          rows={groups.data}
          rowKey={(g) => g.id}
          columns={[
            { title: "Name", render: (g) => <Link to={paths.group(props.sub, g.name)}>{g.name}</Link> },
            { title: "Location", render: (g) => g.location },
            {
              title: "",
              render: (g) => (
                <DeleteButton name={g.name} question={`Delete ${g.name} and everything in it?`} onDelete={() => remove.mutate(g.name)} />
              ),
            },
          ]}
        />
      ) : null}
    </>
  );
}
