import { type Expression, type ExpressionBuilder, type SqlBool, sql } from "kysely";
import type { ListCondition } from "../core/list-query.ts";
import type { Tables } from "./tables.ts";

/**
 * How a list field maps onto a column: a string (compared lowercased), a string column stored lowercased already
 * (ids, the UPN key: compared as they are, so their indexes serve), a 0/1 boolean, or a value never stored (null).
 */
type ListField = { column: string; type: "string" | "lowered" | "nullableString" | "boolean" } | { type: "null" };

/**
 * The fields each directory list can be filtered on in SQL, by their Graph names. `mail` is never stored (Graph
 * shows null). A field not listed here is filtered in memory by the caller.
 */
export const DIRECTORY_LIST_FIELDS = {
  users: {
    id: { column: "id", type: "lowered" },
    displayName: { column: "display_name", type: "string" },
    userPrincipalName: { column: "upn_key", type: "lowered" },
    accountEnabled: { column: "account_enabled", type: "boolean" },
    mail: { type: "null" },
  },
  groups: {
    id: { column: "id", type: "lowered" },
    displayName: { column: "display_name", type: "string" },
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
 * the lowered column with `%`, `_` and the escape character escaped.
 */
export function whereCondition(eb: Builder, condition: ListCondition, fields: Readonly<Record<string, ListField>>): Expression<SqlBool> {
  switch (condition.kind) {
    case "and":
      return eb.and([whereCondition(eb, condition.left, fields), whereCondition(eb, condition.right, fields)]);
    case "or":
      return eb.or([whereCondition(eb, condition.left, fields), whereCondition(eb, condition.right, fields)]);
    case "not":
      return eb.not(whereCondition(eb, condition.operand, fields));
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
      const pattern = `${condition.prefix.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const lowered = field.type === "lowered" ? column : sql`lower(${column})`;
      const like = sql<SqlBool>`${lowered} like ${pattern} escape '\\'`;
      return field.type === "nullableString" ? sql<SqlBool>`(${column} is not null and ${like})` : like;
    }
  }
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
