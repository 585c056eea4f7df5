import { Button, Subtitle2 } from "@fluentui/react-components";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { call, list } from "../api.ts";
import type { DirectoryObject } from "../arm-types.ts";
import { CodeBlock, DataTable, ErrorBar, Loading } from "../components.tsx";

const kindOf = (o: DirectoryObject) => (o["@odata.type"] ?? "").replace("#microsoft.graph.", "");

function ObjectList(props: { path: string; label: string }) {
  const objects = useQuery({ queryKey: ["graph", props.path], queryFn: () => list<DirectoryObject>("graph", props.path) });
  return (
    <>
      <Subtitle2 as="h3">{props.label}</Subtitle2>
      <ErrorBar error={objects.error} />
      {objects.isPending ? <Loading what={props.label.toLowerCase()} /> : null}
      {objects.data ? (
        <DataTable
          label={props.label}
          rows={objects.data}
          rowKey={(o) => o.id}
          empty="None."
          columns={[
            { title: "Display name", render: (o) => o.displayName ?? o.userPrincipalName },
            { title: "Type", render: kindOf },
            { title: "Object id", render: (o) => o.id },
          ]}
        />
      ) : null}
    </>
  );
}

/** A group: its direct members (nested groups among them), everyone reached through nesting, and its owners. */
export function GroupDetails(props: { group: DirectoryObject }) {
  const id = props.group.id;
  return (
    <section aria-label={`Group ${props.group.displayName}`} style={{ display: "flex", flexDirection: "column", gap: 8 }}>
      <ObjectList path={`/groups/${id}/members`} label="Members" />
      <ObjectList path={`/groups/${id}/transitiveMembers`} label="Members through nested groups too" />
      <ObjectList path={`/groups/${id}/owners`} label="Owners" />
    </section>
  );
}

interface Application extends DirectoryObject {
  passwordCredentials?: { keyId: string; displayName?: string | null; hint?: string | null; endDateTime?: string | null }[];
  keyCredentials?: { keyId: string; displayName?: string | null; endDateTime?: string | null; customKeyIdentifier?: string | null }[];
}

interface FederatedCredential {
  id: string;
  name: string;
  issuer: string;
  subject: string;
}

/** An app registration's secrets (add, remove; a new secret is shown once), certificates and federated credentials. */
export function AppDetails(props: { app: DirectoryObject }) {
  const queries = useQueryClient();
  const id = props.app.id;
  const app = useQuery({ queryKey: ["application", id], queryFn: () => call<Application>("graph", `/applications/${id}`) });
  const federated = useQuery({
    queryKey: ["federated", id],
    queryFn: () => list<FederatedCredential>("graph", `/applications/${id}/federatedIdentityCredentials`),
  });
  const refresh = () => queries.invalidateQueries({ queryKey: ["application", id] });
  const add = useMutation({
    mutationFn: () =>
      call<{ secretText: string }>("graph", `/applications/${id}/addPassword`, {
        method: "POST",
        body: { passwordCredential: { displayName: "Created in the portal" } },
      }),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: (keyId: string) => call("graph", `/applications/${id}/removePassword`, { method: "POST", body: { keyId } }),
    onSuccess: refresh,
  });
  const when = (t?: string | null) => (t ? new Date(t).toLocaleDateString() : "");
  return (
    <section aria-label={`Application ${props.app.displayName}`} style={{ display: "flex", flexDirection: "column", gap: 8 }}>
      <Subtitle2 as="h3">Client secrets</Subtitle2>
      <Button style={{ alignSelf: "start" }} onClick={() => add.mutate()} disabled={add.isPending}>
        New client secret
      </Button>
      {add.data ? <CodeBlock code={add.data.secretText} label="New secret (shown once)" /> : null}
      <ErrorBar error={app.error ?? add.error ?? remove.error} />
      {app.data ? (
        <DataTable
          label="Client secrets"
          rows={app.data.passwordCredentials ?? []}
          rowKey={(c) => c.keyId}
          empty="No secrets."
          columns={[
            { title: "Description", render: (c) => c.displayName },
            { title: "Value", render: (c) => (c.hint ? `${c.hint}…` : "") },
            { title: "Expires", render: (c) => when(c.endDateTime) },
            {
              title: "",
              render: (c) => (
                <Button
                  size="small"
                  onClick={() => confirm("Delete this secret? Clients using it stop signing in.") && remove.mutate(c.keyId)}
                >
                  Delete
                </Button>
              ),
            },
          ]}
        />
      ) : null}
      <Subtitle2 as="h3">Certificates</Subtitle2>
      <DataTable
        label="Certificates"
        rows={app.data?.keyCredentials ?? []}
        rowKey={(c) => c.keyId}
        empty="No certificates."
        columns={[
          { title: "Description", render: (c) => c.displayName },
          { title: "Thumbprint", render: (c) => c.customKeyIdentifier },
          { title: "Expires", render: (c) => when(c.endDateTime) },
        ]}
      />
      <Subtitle2 as="h3">Federated credentials</Subtitle2>
      <ErrorBar error={federated.error} />
      <DataTable
        label="Federated credentials"
        rows={federated.data ?? []}
        rowKey={(c) => c.id}
        empty="No federated credentials."
        columns={[
          { title: "Name", render: (c) => c.name },
          { title: "Issuer", render: (c) => c.issuer },
          { title: "Subject", render: (c) => c.subject },
        ]}
      />
    </section>
  );
}
