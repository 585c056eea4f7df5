import { Dropdown, Field, Input, Option } from "@fluentui/react-components";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { API_VERSIONS, arm } from "../api.ts";
import { type Account, paths } from "../arm-types.ts";
import { Blade } from "../blade.tsx";
import { CreateForm, DataTable, DeleteButton, ErrorBar, Loading } from "../components.tsx";
import { AccessControl } from "./access-control.tsx";

export function ResourceGroup() {
  const { sub = "", rg = "" } = useParams();
  return (
    <Blade
      title={rg}
      crumbs={`Resource group · subscription ${sub}`}
      tabs={[
        { id: "accounts", label: "Foundry accounts", render: () => <Accounts sub={sub} rg={rg} /> },
        { id: "iam", label: "Access control (IAM)", render: () => <AccessControl scope={paths.group(sub, rg)} /> },
      ]}
    />
  );
}

function Accounts(props: { sub: string; rg: string }) {
  const queries = useQueryClient();
  const key = ["accounts", props.sub, props.rg];
  const accounts = useQuery({
    queryKey: key,
    queryFn: () => arm.list<Account>(paths.accounts(props.sub, props.rg), API_VERSIONS.cognitive),
  });
  const [name, setName] = useState("");
  const [kind, setKind] = useState("AIServices");
  const create = useMutation({
    mutationFn: () =>
      arm.put(paths.account(props.sub, props.rg, name), API_VERSIONS.cognitive, {
        location: "local",
        kind,
        sku: { name: "S0" },
        properties: { customSubDomainName: name },
      }),
    onSuccess: () => {
      setName("");
      void queries.invalidateQueries({ queryKey: key });
    },
  });
  const remove = useMutation({
    mutationFn: (account: string) => arm.delete(paths.account(props.sub, props.rg, account), API_VERSIONS.cognitive),
    onSettled: () => queries.invalidateQueries({ queryKey: key }),
  });
  return (
    <>
      <CreateForm onSubmit={() => create.mutate()} disabled={!name || create.isPending}>
        <Field label="New account name">
          <Input value={name} onChange={(_e, d) => setName(d.value)} required />
        </Field>
        <Field label="Kind">
          <Dropdown value={kind} selectedOptions={[kind]} onOptionSelect={(_e, d) => setKind(d.optionValue ?? "AIServices")}>
            <Option value="AIServices">AIServices (Foundry)</Option>
            <Option value="OpenAI">OpenAI</Option>
          </Dropdown>
        </Field>
      </CreateForm>
      <ErrorBar error={accounts.error ?? create.error ?? remove.error} />
      {accounts.isPending ? <Loading what="accounts" /> : null}
      {accounts.data ? (
        <DataTable
          label="Accounts"
          rows={accounts.data}
          rowKey={(a) => a.id}
          empty="No Foundry accounts in this resource group."
          columns={[
            { title: "Name", render: (a) => <Link to={paths.portalAccount(props.sub, props.rg, a.name)}>{a.name}</Link> },
            { title: "Kind", render: (a) => a.kind },
            { title: "Endpoint", render: (a) => a.properties.endpoint },
            {
              title: "",
              render: (a) => (
                <DeleteButton name={a.name} question={`Delete the account ${a.name}?`} onDelete={() => remove.mutate(a.name)} />
              ),
            },
          ]}
        />
      ) : null}
    </>
  );
}
