import { Tab, TabList } from "@fluentui/react-components";
import type { ReactNode } from "react";
import { useSearchParams } from "react-router";
import { Page } from "./components.tsx";

interface BladeTab {
  id: string;
  label: string;
  render: () => ReactNode;
}

/** A resource's page with its sections as tabs, the open one kept in the URL (`?tab=`) so links and reloads keep it. */
export function Blade(props: { title: string; crumbs: string; tabs: BladeTab[] }) {
  const [search, setSearch] = useSearchParams();
  const open = props.tabs.find((t) => t.id === search.get("tab")) ?? props.tabs[0]!;
  return (
    <Page title={props.title} crumbs={props.crumbs}>
      <TabList
        selectedValue={open.id}
        onTabSelect={(_e, data) => setSearch({ tab: String(data.value) }, { replace: true })}
        style={{ overflowX: "auto" }}
      >
        {props.tabs.map((t) => (
          <Tab key={t.id} value={t.id}>
            {t.label}
          </Tab>
        ))}
      </TabList>
      <div role="tabpanel" aria-label={open.label}>
        {open.render()}
      </div>
    </Page>
  );
}
