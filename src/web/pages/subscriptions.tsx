import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { API_VERSIONS, arm } from "../api.ts";
import type { Subscription } from "../arm-types.ts";
import { DataTable, ErrorBar, Loading, Page } from "../components.tsx";

export function Subscriptions() {
  const subscriptions = useQuery({
    queryKey: ["subscriptions"],
    queryFn: () => arm.list<Subscription>("/subscriptions", API_VERSIONS.subscriptions),
  });
  return (
    <Page title="Subscriptions">
      <ErrorBar error={subscriptions.error} />
      {subscriptions.isPending ? <Loading what="subscriptions" /> : null}
      {subscriptions.data ? (
        <DataTable
          label="Subscriptions"
          rows={subscriptions.data}
          rowKey={(s) => s.subscriptionId}
          empty="You have no role on any subscription."
          columns={[
            { title: "Name", render: (s) => <Link to={`/subscriptions/${s.subscriptionId}`}>{s.displayName}</Link> },
            { title: "Subscription id", render: (s) => s.subscriptionId },
            { title: "State", render: (s) => s.state },
          ]}
        />
      ) : null}
    </Page>
  );
}
