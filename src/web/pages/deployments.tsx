import { Button, Dropdown, Field, Input, Option } from "@fluentui/react-components";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { API_VERSIONS, arm } from "../api.ts";
import type { Account, CatalogModel, Deployment } from "../arm-types.ts";
import { CreateForm, DataTable, DeleteButton, ErrorBar, Loading } from "../components.tsx";

const modelKey = (m: { format: string; name: string; version: string }) => `${m.format}/${m.name}/${m.version}`;

/** The account's deployments: create one from the model catalog; edit one (model version, capacity) in the same form; delete. */
export function Deployments(props: { account: Account }) {
  const { account } = props;
  const queries = useQueryClient();
  const key = ["deployments", account.id];
  const deployments = useQuery({ queryKey: key, queryFn: () => arm.list<Deployment>(`${account.id}/deployments`, API_VERSIONS.cognitive) });
  const catalog = useQuery({
    queryKey: ["models", account.id],
    queryFn: () => arm.list<CatalogModel>(`${account.id}/models`, API_VERSIONS.cognitive),
  });
  const [name, setName] = useState("");
  const [model, setModel] = useState("");
  const [capacity, setCapacity] = useState("10");
  const refresh = () => queries.invalidateQueries({ queryKey: key });
  const save = useMutation({
    mutationFn: (input: { name: string; model: string; capacity: number }) => {
      const [format, modelName, version] = input.model.split("/");
      return arm.put(`${account.id}/deployments/${input.name}`, API_VERSIONS.cognitive, {
        sku: { name: "GlobalStandard", capacity: input.capacity },
        properties: { model: { format, name: modelName, version } },
      });
    },
    onSuccess: () => {
      setName("");
      void refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (deployment: string) => arm.delete(`${account.id}/deployments/${deployment}`, API_VERSIONS.cognitive),
    onSettled: refresh,
  });
  return (
    <>
      <CreateForm
        primary
        onSubmit={() => save.mutate({ name, model, capacity: Number(capacity) })}
        disabled={!name || !model || save.isPending}
        submit={deployments.data?.some((d) => d.name === name) ? "Save" : "Deploy"}
      >
        <Field label="Deployment name">
          <Input value={name} onChange={(_e, d) => setName(d.value)} required />
        </Field>
        <Field label="Model">
          <Dropdown
            placeholder="Pick a model"
            value={model}
            selectedOptions={model ? [model] : []}
            onOptionSelect={(_e, d) => setModel(d.optionValue ?? "")}
          >
            {(catalog.data ?? []).map((m) => (
              <Option key={modelKey(m)} value={modelKey(m)}>
                {modelKey(m)}
              </Option>
            ))}
          </Dropdown>
        </Field>
        <Field label="Capacity (thousand tokens per minute)">
          <Input type="number" min={1} value={capacity} onChange={(_e, d) => setCapacity(d.value)} />
        </Field>
      </CreateForm>
      <ErrorBar error={deployments.error ?? catalog.error ?? save.error ?? remove.error} />
      {deployments.isPending ? <Loading what="deployments" /> : null}
      {deployments.data ? (
        <DataTable
          label="Deployments"
          rows={deployments.data}
          rowKey={(d) => d.id}
          empty="No deployments yet."
          columns={[
            { title: "Name", render: (d) => d.name },
            { title: "Model", render: (d) => modelKey(d.properties.model) },
            { title: "Capacity", render: (d) => String(d.sku?.capacity ?? "") },
            {
              title: "",
              render: (d) => (
                <span style={{ display: "flex", gap: 4 }}>
                  <Button
                    size="small"
                    aria-label={`Edit ${d.name}`}
                    onClick={() => {
                      setName(d.name);
                      setModel(modelKey(d.properties.model));
                      setCapacity(String(d.sku?.capacity ?? 10));
                    }}
                  >
                    Edit
                  </Button>
                  <DeleteButton name={d.name} question={`Delete the deployment ${d.name}?`} onDelete={() => remove.mutate(d.name)} />
                </span>
              ),
            },
          ]}
        />
      ) : null}
    </>
  );
}
