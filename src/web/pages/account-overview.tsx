import { Subtitle2, Tab, TabList } from "@fluentui/react-components";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { API_VERSIONS, arm } from "../api.ts";
import type { Account, Deployment } from "../arm-types.ts";
import { CodeBlock, DataTable } from "../components.tsx";
import { snippets } from "./snippets.ts";

export function AccountOverview(props: { account: Account }) {
  const { account } = props;
  const deployments = useQuery({
    queryKey: ["deployments", account.id],
    queryFn: () => arm.list<Deployment>(`${account.id}/deployments`, API_VERSIONS.cognitive),
  });
  const [language, setLanguage] = useState<keyof ReturnType<typeof snippets>>("Python");
  const endpoint = account.properties.endpoint ?? "";
  const code = snippets({ origin: location.origin, endpoint, deployment: deployments.data?.[0]?.name ?? "<deployment>" });
  const rows = Object.entries(account.properties.endpoints ?? { Endpoint: endpoint });
  return (
    <>
      <DataTable
        label="Essentials"
        rows={[
          ["Kind", account.kind],
          ["Location", account.location],
          ["Local (key) authentication", account.properties.disableLocalAuth ? "Disabled: Microsoft Entra ID only" : "Enabled"],
          ...rows,
        ]}
        rowKey={(r) => r[0]}
        columns={[
          { title: "Property", render: (r) => r[0] },
          { title: "Value", render: (r) => r[1] },
        ]}
      />
      <Subtitle2 as="h2">Call a model with Microsoft Entra ID (no key)</Subtitle2>
      <p style={{ margin: 0 }}>
        The caller needs a role with the model data actions on this account, such as Cognitive Services User. Trust the service's CA first
        (NODE_EXTRA_CA_CERTS, REQUESTS_CA_BUNDLE or the system store).
      </p>
      <TabList selectedValue={language} onTabSelect={(_e, d) => setLanguage(d.value as typeof language)} size="small">
        {Object.keys(code).map((name) => (
          <Tab key={name} value={name}>
            {name}
          </Tab>
        ))}
      </TabList>
      <CodeBlock code={code[language]} label={`${language} snippet`} />
      <p style={{ margin: 0, fontSize: "12px" }}>API version {API_VERSIONS.dataPlane}.</p>
    </>
  );
}
