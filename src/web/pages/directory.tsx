import { Link as FluentLink } from "@fluentui/react-components";
import { useQuery } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { list } from "../api.ts";
import type { DirectoryObject } from "../arm-types.ts";
import { Blade } from "../blade.tsx";
import { type Column, DataTable, ErrorBar, Loading } from "../components.tsx";
import { AppDetails, GroupDetails } from "./directory-details.tsx";

function GraphList(props: {
  path: string;
  label: string;
  filter?: string;
  columns: Column<DirectoryObject>[];
  details?: (o: DirectoryObject) => ReactNode;
}) {
  const [open, setOpen] = useState<DirectoryObject>();
  const columns: Column<DirectoryObject>[] = props.details
    ? [
        {
          title: "Display name",
          render: (o) => (
            <FluentLink as="button" onClick={() => setOpen(open?.id === o.id ? undefined : o)} aria-expanded={open?.id === o.id}>
              {o.displayName}
            </FluentLink>
          ),
        },
        ...props.columns.slice(1),
      ]
    : props.columns;
  const objects = useQuery({
    queryKey: ["graph", props.path, props.filter],
    queryFn: () => list<DirectoryObject>("graph", props.path, props.filter ? { $filter: props.filter } : {}),
  });
  return (
    <>
      <ErrorBar error={objects.error} />
      {objects.isPending ? <Loading what={props.label} /> : null}
      {objects.data ? <DataTable label={props.label} rows={objects.data} rowKey={(o) => o.id} columns={columns} /> : null}
      {open && props.details ? props.details(open) : null}
    </>
  );
}

const name: Column<DirectoryObject> = { title: "Display name", render: (o) => o.displayName };
const objectId: Column<DirectoryObject> = { title: "Object id", render: (o) => o.id };
const appId: Column<DirectoryObject> = { title: "Application (client) id", render: (o) => o.appId };

/** The directory through Graph: users, groups, app registrations, enterprise applications, managed identities. */
export function Directory() {
  return (
    <Blade
      title="Directory"
      crumbs="Microsoft Entra ID"
      tabs={[
        {
          id: "users",
          label: "Users",
          render: () => (
            <GraphList
              path="/users"
              label="Users"
              columns={[name, { title: "User principal name", render: (o) => o.userPrincipalName }, objectId]}
            />
          ),
        },
        {
          id: "groups",
          label: "Groups",
          render: () => (
            <GraphList path="/groups" label="Groups" columns={[name, objectId]} details={(g) => <GroupDetails key={g.id} group={g} />} />
          ),
        },
        {
          id: "apps",
          label: "App registrations",
          render: () => (
            <GraphList
              path="/applications"
              label="App registrations"
              columns={[name, appId, objectId]}
              details={(a) => <AppDetails key={a.id} app={a} />}
            />
          ),
        },
        {
          id: "enterprise",
          label: "Enterprise applications",
          render: () => (
            <GraphList
              path="/servicePrincipals"
              label="Enterprise applications"
              filter="servicePrincipalType eq 'Application'"
              columns={[name, appId, objectId]}
            />
          ),
        },
        {
          id: "identities",
          label: "Managed identities",
          render: () => (
            <GraphList
              path="/servicePrincipals"
              label="Managed identities"
              filter="servicePrincipalType eq 'ManagedIdentity'"
              columns={[name, { title: "Client id", render: (o) => o.appId }, objectId]}
            />
          ),
        },
      ]}
    />
  );
}
