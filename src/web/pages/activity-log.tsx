import { Dropdown, Field, Input, Option } from "@fluentui/react-components";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { API_VERSIONS, arm } from "../api.ts";
import type { Subscription } from "../arm-types.ts";
import { DataTable, ErrorBar, Loading, Page } from "../components.tsx";

interface ActivityEvent {
  eventDataId: string;
  eventTimestamp: string;
  caller?: string;
  operationName: { value: string; localizedValue?: string };
  status: { value: string };
  resourceId?: string;
}

const OFFSETS: Record<string, number> = { "1 hour": 3_600_000, "6 hours": 21_600_000, "1 day": 86_400_000, "7 days": 604_800_000 };

/** The ARM activity log of a subscription: who changed what and whether it worked. */
export function ActivityLog() {
  const subscriptions = useQuery({
    queryKey: ["subscriptions"],
    queryFn: () => arm.list<Subscription>("/subscriptions", API_VERSIONS.subscriptions),
  });
  const sub = subscriptions.data?.[0]?.subscriptionId;
  const [span, setSpan] = useState("6 hours");
  const [caller, setCaller] = useState("");
  const events = useQuery({
    queryKey: ["activity", sub, span, caller],
    enabled: sub !== undefined,
    queryFn: () => {
      const since = new Date(Date.now() - OFFSETS[span]!).toISOString();
      const filter = [`eventTimestamp ge '${since}'`, ...(caller ? [`caller eq '${caller.replace(/'/g, "''")}'`] : [])].join(" and ");
      return arm.list<ActivityEvent>(
        `/subscriptions/${sub}/providers/Microsoft.Insights/eventtypes/management/values`,
        API_VERSIONS.activityLog,
        {
          $filter: filter,
        },
      );
    },
  });
  return (
    <Page title="Activity log" crumbs={sub ? `Subscription ${sub}` : undefined}>
      <div style={{ display: "flex", gap: 8, flexWrap: "wrap" }}>
        <Field label="Time span">
          <Dropdown value={span} selectedOptions={[span]} onOptionSelect={(_e, d) => setSpan(d.optionValue ?? "6 hours")}>
            {Object.keys(OFFSETS).map((o) => (
              <Option key={o}>{o}</Option>
            ))}
          </Dropdown>
        </Field>
        <Field label="Caller (UPN or object id)">
          <Input value={caller} onChange={(_e, d) => setCaller(d.value)} />
        </Field>
      </div>
      <ErrorBar error={subscriptions.error ?? events.error} />
      {events.isPending && sub ? <Loading what="events" /> : null}
      {events.data ? (
        <DataTable
          label="Events"
          rows={[...events.data].reverse()}
          rowKey={(e) => e.eventDataId}
          empty="No events in this span."
          columns={[
            { title: "Time", render: (e) => new Date(e.eventTimestamp).toLocaleString() },
            { title: "Operation", render: (e) => e.operationName.localizedValue ?? e.operationName.value },
            { title: "Status", render: (e) => e.status.value },
            { title: "Caller", render: (e) => e.caller },
            { title: "Resource", render: (e) => <span style={{ overflowWrap: "anywhere" }}>{e.resourceId}</span> },
          ]}
        />
      ) : null}
    </Page>
  );
}
