/**
 * Loads the RBAC conformance fixtures (`test/fixtures/rbac/*.yaml`, format in that folder's README) into a
 * policy and a list of requests with their expectations. Shorthands keep the fixtures readable: `principal` and
 * `role` (a role name) stand for `principalId` and `roleDefinitionId`.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { builtInRoleByName } from "../../src/authz/builtin-roles.ts";
import { createPolicy } from "../../src/authz/policy.ts";
import type {
  AccessRequest,
  DenyAssignment,
  DenyPrincipal,
  Permission,
  Policy,
  PrincipalType,
  RoleAssignment,
  RoleDefinition,
} from "../../src/authz/types.ts";

export const FIXTURE_DIR = join(import.meta.dirname, "..", "fixtures", "rbac");

export interface FixtureCase {
  name: string;
  request: AccessRequest;
  expect: "allowed" | "denied";
  grantedByRole?: string;
  suggestedRole?: string;
  reason?: string;
  denyAssignment?: string;
}

export interface Fixture {
  file: string;
  policy: Policy;
  cases: FixtureCase[];
}

type Row = Record<string, unknown>;

function rows(value: unknown, what: string): Row[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Error(`${what} must be a list`);
  return value.map((item) => {
    if (typeof item !== "object" || item === null) throw new Error(`${what} entries must be maps`);
    return item as Row;
  });
}

function text(row: Row, key: string): string {
  const value = row[key];
  if (typeof value !== "string") throw new Error(`missing string '${key}' in ${JSON.stringify(row)}`);
  return value;
}

function optionalText(row: Row, key: string): string | undefined {
  const value = row[key];
  return typeof value === "string" ? value : undefined;
}

function texts(row: Row, key: string): string[] {
  const value = row[key] ?? [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) throw new Error(`'${key}' must be a string list`);
  return value;
}

function permissions(value: unknown): Permission[] {
  return rows(value, "permissions").map((row) => {
    const p: Permission = {
      actions: texts(row, "actions"),
      notActions: texts(row, "notActions"),
      dataActions: texts(row, "dataActions"),
      notDataActions: texts(row, "notDataActions"),
    };
    const condition = optionalText(row, "condition");
    if (condition !== undefined) p.condition = condition;
    return p;
  });
}

function customRole(row: Row): RoleDefinition {
  return {
    id: text(row, "id"),
    roleName: text(row, "roleName"),
    roleType: "CustomRole",
    description: optionalText(row, "description") ?? "",
    assignableScopes: row.assignableScopes === undefined ? ["/"] : texts(row, "assignableScopes"),
    permissions: permissions(row.permissions),
  };
}

function roleIdFor(row: Row, custom: readonly RoleDefinition[]): string {
  const id = optionalText(row, "roleDefinitionId");
  if (id !== undefined) return id;
  const name = text(row, "role");
  const role = custom.find((r) => r.roleName.toLowerCase() === name.toLowerCase()) ?? builtInRoleByName(name);
  if (!role) throw new Error(`unknown role '${name}'`);
  return role.id;
}

function assignment(row: Row, index: number, file: string, custom: readonly RoleDefinition[]): RoleAssignment {
  const a: RoleAssignment = {
    id: optionalText(row, "id") ?? `${file}#${index}`,
    scope: text(row, "scope"),
    roleDefinitionId: roleIdFor(row, custom),
    principalId: optionalText(row, "principalId") ?? text(row, "principal"),
    principalType: (optionalText(row, "principalType") ?? "User") as PrincipalType,
  };
  const condition = optionalText(row, "condition");
  if (condition !== undefined) a.condition = condition;
  return a;
}

function denyPrincipals(value: unknown): DenyPrincipal[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Error("deny principals must be a list");
  return value.map((p: unknown) =>
    typeof p === "string" ? { id: p, type: "User" } : { id: text(p as Row, "id"), type: text(p as Row, "type") },
  );
}

function denyAssignment(row: Row): DenyAssignment {
  return {
    id: text(row, "id"),
    scope: text(row, "scope"),
    permissions: permissions(row.permissions),
    principals: denyPrincipals(row.principals),
    excludePrincipals: denyPrincipals(row.excludePrincipals),
    doNotApplyToChildScopes: row.doNotApplyToChildScopes === true,
  };
}

function fixtureCase(row: Row): FixtureCase {
  const action = optionalText(row, "action");
  const operation =
    action !== undefined ? { kind: "action" as const, name: action } : { kind: "dataAction" as const, name: text(row, "dataAction") };
  const request: AccessRequest = {
    principalId: text(row, "principal"),
    groupIds: texts(row, "groups"),
    operation,
    scope: text(row, "scope"),
  };
  const roleDefinitionId = optionalText(row, "roleDefinitionId");
  if (roleDefinitionId !== undefined) request.attributes = { roleDefinitionId };
  const expect = text(row, "expect");
  if (expect !== "allowed" && expect !== "denied") throw new Error(`case '${row.name}': expect must be allowed|denied`);
  const c: FixtureCase = { name: text(row, "name"), request, expect };
  for (const key of ["grantedByRole", "suggestedRole", "reason", "denyAssignment"] as const) {
    const value = optionalText(row, key);
    if (value !== undefined) c[key] = value;
  }
  return c;
}

export function loadFixture(file: string): Fixture {
  const doc = parse(readFileSync(join(FIXTURE_DIR, file), "utf8")) as Row;
  const custom = rows(doc.roleDefinitions, "roleDefinitions").map(customRole);
  const policy = createPolicy({
    customRoles: custom,
    roleAssignments: rows(doc.assignments, "assignments").map((row, i) => assignment(row, i, file, custom)),
    denyAssignments: rows(doc.denyAssignments, "denyAssignments").map(denyAssignment),
    memberships: rows(doc.memberships, "memberships").map((row) => ({ groupId: text(row, "group"), memberId: text(row, "member") })),
  });
  return { file, policy, cases: rows(doc.cases, "cases").map(fixtureCase) };
}

export function loadAllFixtures(): Fixture[] {
  return readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map(loadFixture);
}
