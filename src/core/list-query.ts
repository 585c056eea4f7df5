/**
 * A page of a directory list as storage serves it: a condition over named fields that storage turns into a SQL
 * `where`, and a keyset cursor, so a list of a 100,000-user tenant reads one page, not the tenant. Graph's `$filter`
 * subset is translated into a condition (`graph/odata-filter.ts`); what it cannot express stays in memory there.
 *
 * Semantics are Graph's, and two-valued: a string `eq` compares case-insensitively and is false against a missing
 * value; `eq null` is true only for a missing value.
 */
export type ListCondition =
  | { kind: "and" | "or"; left: ListCondition; right: ListCondition }
  | { kind: "not"; operand: ListCondition }
  | { kind: "eq"; field: string; value: string | boolean | null }
  | { kind: "startswith"; field: string; prefix: string }
  | { kind: "constant"; value: boolean };

export interface ListQuery {
  where?: ListCondition | undefined;
  /** The cursor of the last item of the previous page (opaque to callers; storage made it). */
  after?: string | undefined;
  limit: number;
}

/** One item of a page with the cursor that continues after it. */
export interface ListItem<T> {
  value: T;
  cursor: string;
}

/** A page: its items, and the cursor to continue from when there are more. */
export interface ListPage<T> {
  items: T[];
  next?: string | undefined;
}

/** A page from `limit + 1` items read: the first `limit`, and a cursor when the extra one shows there are more. */
export function pageOf<T>(read: readonly ListItem<T>[], limit: number): ListPage<ListItem<T>> {
  const items = read.slice(0, limit);
  return read.length > limit ? { items, next: items.at(-1)!.cursor } : { items };
}
