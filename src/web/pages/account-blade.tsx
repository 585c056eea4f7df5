import { useQuery } from "@tanstack/react-query";
import { useParams } from "react-router";
import { API_VERSIONS, arm } from "../api.ts";
import { type Account, paths } from "../arm-types.ts";
import { Blade } from "../blade.tsx";
import { ErrorBar, Loading } from "../components.tsx";
import { AccessControl } from "./access-control.tsx";
import { AccountCalls, AccountUsage } from "./account-calls.tsx";
import { AccountKeys } from "./account-keys.tsx";
import { AccountOverview } from "./account-overview.tsx";
import { Deployments } from "./deployments.tsx";
import { Playground } from "./playground.tsx";

/** A Foundry account: overview, keys, deployments, access control and the playground. */
export function AccountBlade() {
  const { sub = "", rg = "", account = "" } = useParams();
  const id = paths.account(sub, rg, account);
  const resource = useQuery({ queryKey: ["account", id], queryFn: () => arm.get<Account>(id, API_VERSIONS.cognitive) });
  if (resource.error) return <ErrorBar error={resource.error} />;
  if (!resource.data) return <Loading what="the account" />;
  const data = resource.data;
  return (
    <Blade
      title={data.name}
      crumbs={`Foundry account · ${rg} · subscription ${sub}`}
      tabs={[
        { id: "overview", label: "Overview", render: () => <AccountOverview account={data} /> },
        { id: "keys", label: "Keys", render: () => <AccountKeys account={data} /> },
        { id: "deployments", label: "Deployments", render: () => <Deployments account={data} /> },
        { id: "iam", label: "Access control (IAM)", render: () => <AccessControl scope={id} /> },
        { id: "playground", label: "Playground", render: () => <Playground account={data} /> },
        { id: "usage", label: "Usage", render: () => <AccountUsage account={data} /> },
        { id: "calls", label: "Call log", render: () => <AccountCalls account={data} /> },
      ]}
    />
  );
}
