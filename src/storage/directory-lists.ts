import { type Expression, type ExpressionBuilder, type SqlBool, sql } from "kysely";
import type { ListCondition } from "../core/list-query.ts";
import type { Dialect } from "./dialect.ts";
import type { Tables } from "./tables.ts";

/**
 * How a list field maps onto a column: a string (compared lowercased), a string column stored lowercased already
 * (ids, the UPN key: compared as they are, so their indexes serve), a 0/1 boolean, or a value never stored (null).
 * `prefixIndexed`: an index on the tenant and the lowered column in code-point order serves `startswith` as a
 * range (migration 0014-display-name-prefix).
 */
type ListField = { column: string; type: "string" | "lowered" | "nullableString" | "boolean"; prefixIndexed?: true } | { type: "null" };

/**
 * The fields each directory list can be filtered on in SQL, by their Graph names. `mail` is never stored (Graph
 * shows null). A field not listed here is filtered in memory by the caller.
 */
export const DIRECTORY_LIST_FIELDS = {
  users: {
    id: { column: "id", type: "lowered" },
    displayName: { column: "display_name", type: "string", prefixIndexed: true },
    userPrincipalName: { column: "upn_key", type: "lowered" },
    accountEnabled: { column: "account_enabled", type: "boolean" },
    mail: { type: "null" },
  },
  groups: {
    id: { column: "id", type: "lowered" },
    displayName: { column: "display_name", type: "string", prefixIndexed: true },
    mailNickname: { column: "mail_nickname", type: "string" },
    securityEnabled: { column: "security_enabled", type: "boolean" },
    mailEnabled: { column: "mail_enabled", type: "boolean" },
    mail: { type: "null" },
  },
} as const satisfies Record<string, Record<string, ListField>>;

type Builder = ExpressionBuilder<Tables, keyof Tables>;

/**
 * The condition as a SQL `where`, two-valued (never NULL, so `not` means what it says). Strings compare with
 * `lower()` on both sides, as Graph compares directory properties case-insensitively; `startswith` is a `like` on
 * the lowered column with `%`, `_` and the escape character escaped, and on a `prefixIndexed` field also the
 * range of strings that start with the prefix, which an index serves (a `like` alone is not served from an index
 * by SQLite under its case rules, nor by PostgreSQL under a linguistic collation).
 */
export function whereCondition(
  eb: Builder,
  condition: ListCondition,
  fields: Readonly<Record<string, ListField>>,
  dialect: Dialect,
): Expression<SqlBool> {
  switch (condition.kind) {
    case "and":
      return eb.and([whereCondition(eb, condition.left, fields, dialect), whereCondition(eb, condition.right, fields, dialect)]);
    case "or":
      return eb.or([whereCondition(eb, condition.left, fields, dialect), whereCondition(eb, condition.right, fields, dialect)]);
    case "not":
      return eb.not(whereCondition(eb, condition.operand, fields, dialect));
    case "constant":
      return condition.value ? sql<SqlBool>`1 = 1` : sql<SqlBool>`1 = 0`;
    case "eq": {
      const field = fieldOf(fields, condition.field);
      if (field.type === "null") return condition.value === null ? sql<SqlBool>`1 = 1` : sql<SqlBool>`1 = 0`;
      const column = sql.ref(field.column);
      if (condition.value === null) return field.type === "nullableString" ? sql<SqlBool>`${column} is null` : sql<SqlBool>`1 = 0`;
      if (field.type === "boolean") {
        return typeof condition.value === "boolean" ? sql<SqlBool>`${column} = ${condition.value ? 1 : 0}` : sql<SqlBool>`1 = 0`;
      }
      if (typeof condition.value !== "string") return sql<SqlBool>`1 = 0`;
      const value = condition.value.toLowerCase();
      if (field.type === "lowered") return sql<SqlBool>`${column} = ${value}`;
      return field.type === "nullableString"
        ? sql<SqlBool>`(${column} is not null and lower(${column}) = ${value})`
        : sql<SqlBool>`lower(${column}) = ${value}`;
    }
    case "startswith": {
      const field = fieldOf(fields, condition.field);
      if (field.type === "null" || field.type === "boolean") return sql<SqlBool>`1 = 0`;
      const column = sql.ref(field.column);
      const prefix = condition.prefix.toLowerCase();
      const pattern = `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const lowered = field.type === "lowered" ? column : sql`lower(${column})`;
      const like = sql<SqlBool>`${lowered} like ${pattern} escape '\\'`;
      if (field.prefixIndexed && prefix !== "") return sql<SqlBool>`(${prefixRange(lowered, prefix, dialect)} and ${like})`;
      return field.type === "nullableString" ? sql<SqlBool>`(${column} is not null and ${like})` : like;
    }
  }
}

/**
 * `value >= prefix and value < end`: every string that starts with `prefix` and no other, in code-point order
 * (SQLite compares text as bytes of UTF-8, PostgreSQL under the "C" collation likewise, which is the order of the
 * index that serves it); `end` is the prefix with its last code point moved on by one.
 */
function prefixRange(value: Expression<unknown>, prefix: string, dialect: Dialect): Expression<SqlBool> {
  const ordered = dialect === "postgres" ? sql`(${value} collate "C")` : value;
  const end = prefixEnd(prefix);
  return end === undefined ? sql<SqlBool>`${ordered} >= ${prefix}` : sql<SqlBool>`(${ordered} >= ${prefix} and ${ordered} < ${end})`;
}

/** The least string above every string that starts with `prefix` (undefined when there is none). */
export function prefixEnd(prefix: string): string | undefined {
  const points = Array.from(prefix, (c) => c.codePointAt(0)!);
  while (points.length > 0) {
    const last = points.pop()!;
    // Surrogates are not characters (UTF-8 has none): after U+D7FF comes U+E000.
    if (last < 0x10ffff) return String.fromCodePoint(...points, last === 0xd7ff ? 0xe000 : last + 1);
  }
  return undefined;
}

function fieldOf(fields: Readonly<Record<string, ListField>>, name: string): ListField {
  const field = fields[name];
  if (!field) throw new Error(`the list field '${name}' cannot be filtered in SQL`);
  return field;
}

/** A keyset cursor: the sort key of the last item served. */
export function cursorOf(sortKey: string, id: string): string {
  return `${sortKey}|${id}`;
}

/**
 * `(sortColumn, idColumn) > cursor`, written as `sort >= k and (sort > k or id > i)`: the leading range is what lets
 * SQLite (which does not use an index for a bare `or`) and PostgreSQL seek the (…, sortColumn, idColumn) index.
 */
export function afterCursor(_eb: Builder, sortColumn: string, idColumn: string, cursor: string): Expression<SqlBool> {
  const cut = cursor.lastIndexOf("|");
  const sortKey = cut < 0 ? cursor : cursor.slice(0, cut);
  const id = cut < 0 ? "" : cursor.slice(cut + 1);
  const sort = sql.ref(sortColumn);
  const idRef = sql.ref(idColumn);
  return sql<SqlBool>`(${sort} >= ${sortKey} and (${sort} > ${sortKey} or ${idRef} > ${id}))`;
}
