import { Dropdown, Field, Input, Option } from "@fluentui/react-components";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { API_VERSIONS, call } from "../api.ts";
import type { Account } from "../arm-types.ts";
import { DataTable, ErrorBar, Loading } from "../components.tsx";
import { usePrincipalNames } from "../queries.ts";

interface CallJson {
  name: string;
  properties: {
    time: string;
    principalId: string;
    authentication: string;
    deployment: string | null;
    operation: string;
    decision: string;
    status: number;
    totalTokens: number;
    latencyMs: number;
  };
}

interface UsageRow {
  day: string;
  principalId: string;
  deployment: string;
  calls: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

const DECISIONS = ["any", "allowed", "denied", "unauthenticated"];

/** The account's data-plane calls, newest first (the last 100 that match): who called what, the decision, tokens. */
export function AccountCalls(props: { account: Account }) {
  const [decision, setDecision] = useState("any");
  const [deployment, setDeployment] = useState("");
  const calls = useQuery({
    queryKey: ["calls", props.account.id, decision, deployment],
    // A live view: calls are written in batches a moment after they happen, and keep coming.
    refetchInterval: 5000,
    queryFn: () =>
      call<{ value: CallJson[] }>("arm", `${props.account.id}/calls`, {
        query: {
          "api-version": API_VERSIONS.cognitive,
          $top: "100",
          decision: decision === "any" ? undefined : decision,
          deployment: deployment || undefined,
        },
      }),
  });
  const names = usePrincipalNames([...new Set((calls.data?.value ?? []).map((c) => c.properties.principalId).filter(Boolean))]);
  return (
    <>
      <div style={{ display: "flex", gap: 8, flexWrap: "wrap" }}>
        <Field label="Decision">
          <Dropdown value={decision} selectedOptions={[decision]} onOptionSelect={(_e, d) => setDecision(d.optionValue ?? "any")}>
            {DECISIONS.map((d) => (
              <Option key={d}>{d}</Option>
            ))}
          </Dropdown>
        </Field>
        <Field label="Deployment">
          <Input value={deployment} onChange={(_e, d) => setDeployment(d.value)} />
        </Field>
      </div>
      <ErrorBar error={calls.error} />
      {calls.isPending ? <Loading what="calls" /> : null}
      {calls.data ? (
        <DataTable
          label="Calls"
          rows={calls.data.value}
          rowKey={(c) => c.name}
          empty="No calls match."
          columns={[
            { title: "Time", render: (c) => new Date(c.properties.time).toLocaleString() },
            {
              title: "Caller",
              render: (c) => names.data?.get(c.properties.principalId) ?? (c.properties.principalId || c.properties.authentication),
            },
            { title: "Deployment", render: (c) => c.properties.deployment },
            { title: "Operation", render: (c) => c.properties.operation },
            { title: "Decision", render: (c) => c.properties.decision },
            { title: "Status", render: (c) => String(c.properties.status) },
            { title: "Tokens", render: (c) => String(c.properties.totalTokens) },
            { title: "ms", render: (c) => String(c.properties.latencyMs) },
          ]}
        />
      ) : null}
    </>
  );
}

/** Calls and tokens per day, caller and deployment, from the call log. */
export function AccountUsage(props: { account: Account }) {
  const usage = useQuery({
    queryKey: ["usage", props.account.id],
    queryFn: () =>
      call<{ value: UsageRow[] }>("arm", `${props.account.id}/callUsage`, { query: { "api-version": API_VERSIONS.cognitive } }),
  });
  const names = usePrincipalNames([...new Set((usage.data?.value ?? []).map((u) => u.principalId).filter(Boolean))]);
  return (
    <>
      <ErrorBar error={usage.error} />
      {usage.isPending ? <Loading what="usage" /> : null}
      {usage.data ? (
        <DataTable
          label="Usage"
          rows={usage.data.value}
          rowKey={(u) => `${u.day}/${u.principalId}/${u.deployment}`}
          empty="No calls yet."
          columns={[
            { title: "Day", render: (u) => u.day },
            { title: "Caller", render: (u) => names.data?.get(u.principalId) ?? u.principalId },
            { title: "Deployment", render: (u) => u.deployment },
            { title: "Calls", render: (u) => String(u.calls) },
            { title: "Prompt tokens", render: (u) => String(u.promptTokens) },
            { title: "Completion tokens", render: (u) => String(u.completionTokens) },
            { title: "Total tokens", render: (u) => String(u.totalTokens) },
          ]}
        />
      ) : null}
    </>
  );
}
