import {
  Button,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Title2,
  tokens,
} from "@fluentui/react-components";
import { CopyRegular } from "@fluentui/react-icons";
import type { ReactNode } from "react";
import { ApiError } from "./api.ts";

const useStyles = makeStyles({
  page: { display: "flex", flexDirection: "column", gap: "16px", minWidth: 0 },
  header: { display: "flex", flexDirection: "column", gap: "4px" },
  crumbs: { color: tokens.colorNeutralForeground3, fontSize: tokens.fontSizeBase200, overflowWrap: "anywhere" },
  tableWrap: { overflowX: "auto" },
  figure: { position: "relative", margin: 0 },
  code: {
    backgroundColor: tokens.colorNeutralBackground3,
    borderRadius: tokens.borderRadiusMedium,
    padding: "12px",
    paddingRight: "48px",
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    whiteSpace: "pre-wrap",
    overflowWrap: "anywhere",
    margin: 0,
  },
  copy: { position: "absolute", top: "4px", right: "4px" },
});

export function Page(props: { title: string; crumbs?: string | undefined; children: ReactNode }) {
  const styles = useStyles();
  return (
    <section className={styles.page} aria-label={props.title}>
      <header className={styles.header}>
        {props.crumbs ? <div className={styles.crumbs}>{props.crumbs}</div> : null}
        <Title2 as="h1">{props.title}</Title2>
      </header>
      {props.children}
    </section>
  );
}

/** The service's own words for a failed call: its code as the title, its message (with any explanation) below. */
export function ErrorBar(props: { error: unknown; title?: string }) {
  if (!props.error) return null;
  const error = props.error;
  const code = error instanceof ApiError ? error.code : undefined;
  const explanation = error instanceof ApiError ? error.explanation : undefined;
  return (
    <MessageBar intent="error" layout="multiline" role="alert">
      <MessageBarBody>
        <MessageBarTitle>{props.title ?? code ?? "Error"}</MessageBarTitle>
        {error instanceof Error ? error.message : String(error)}
        {explanation?.missing ? <div>{explanation.missing}</div> : null}
        {explanation?.suggestedRoles?.length ? (
          <div>Roles that would grant it: {explanation.suggestedRoles.map((r) => r.roleName).join(", ")}.</div>
        ) : null}
      </MessageBarBody>
    </MessageBar>
  );
}

export function Loading(props: { what: string }) {
  return <Spinner size="small" label={`Loading ${props.what}…`} />;
}

export interface Column<T> {
  title: string;
  render: (row: T) => ReactNode;
}

/** The create form above a list: its fields in a row, then the submit button ("Create" unless `submit` says). */
export function CreateForm(props: { onSubmit: () => void; disabled: boolean; submit?: ReactNode; primary?: boolean; children: ReactNode }) {
  return (
    <form
      style={{ display: "flex", gap: 8, alignItems: "end", flexWrap: "wrap" }}
      onSubmit={(e) => {
        e.preventDefault();
        props.onSubmit();
      }}
    >
      {props.children}
      <Button type="submit" {...(props.primary ? { appearance: "primary" as const } : {})} disabled={props.disabled}>
        {props.submit ?? "Create"}
      </Button>
    </form>
  );
}

/** A row's Delete button in a list: asks `question` first, then calls `onDelete`. */
export function DeleteButton(props: { name: string; question: string; onDelete: () => void }) {
  return (
    <Button size="small" aria-label={`Delete ${props.name}`} onClick={() => confirm(props.question) && props.onDelete()}>
      Delete
    </Button>
  );
}

/** A plain Fluent table; rows are keyed by `rowKey`. */
export function DataTable<T>(props: { label: string; columns: Column<T>[]; rows: T[]; rowKey: (row: T) => string; empty?: string }) {
  const styles = useStyles();
  if (props.rows.length === 0) return <p>{props.empty ?? "Nothing to show."}</p>;
  return (
    <div className={styles.tableWrap}>
      <Table aria-label={props.label} size="small">
        <TableHeader>
          <TableRow>
            {props.columns.map((c) => (
              <TableHeaderCell key={c.title}>{c.title}</TableHeaderCell>
            ))}
          </TableRow>
        </TableHeader>
        <TableBody>
          {props.rows.map((row) => (
            <TableRow key={props.rowKey(row)}>
              {props.columns.map((c) => (
                <TableCell key={c.title} style={{ overflowWrap: "anywhere" }}>
                  {c.render(row)}
                </TableCell>
              ))}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}

export function CodeBlock(props: { code: string; label: string }) {
  const styles = useStyles();
  return (
    <figure className={styles.figure} aria-label={props.label}>
      <pre className={styles.code}>{props.code}</pre>
      <Button
        className={styles.copy}
        appearance="subtle"
        icon={<CopyRegular />}
        aria-label={`Copy ${props.label}`}
        onClick={() => void navigator.clipboard?.writeText(props.code)}
      />
    </figure>
  );
}

/** A scope in words: "subscription …", "resource group …", or the resource's type and name. */
export function describeScope(scope: string): string {
  const parts = scope.split("/").filter(Boolean);
  if (parts.length === 0) return "the root scope";
  if (parts.length === 2) return `subscription ${parts[1]}`;
  if (parts.length === 4) return `resource group ${parts[3]}`;
  return `${parts.at(-2)} ${parts.at(-1)}`;
}

/** The last segment of an ARM id, a GUID or a path. */
export const lastSegment = (id: string) => id.split("/").filter(Boolean).at(-1) ?? id;
