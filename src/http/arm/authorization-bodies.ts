import type { DenyAssignmentInput } from "../../arm/access-queries.ts";
import { armError } from "../../arm/arm-errors.ts";
import type { RoleDefinitionInput } from "../../arm/role-definitions.ts";
import type { PermissionRecord } from "../../storage/records.ts";

/** Request bodies of `Microsoft.Authorization` writes, checked field by field so bad input is a 400 naming the field. */

type Json = Record<string, unknown>;

function propertiesOf(body: unknown, example: string): Json {
  const properties = (body as { properties?: unknown } | null)?.properties;
  if (!properties || typeof properties !== "object" || Array.isArray(properties))
    throw armError("InvalidRequestContent", `the body must be {"properties": ${example}}.`);
  return properties as Json;
}

function stringList(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string" || v.trim() === ""))
    throw armError("InvalidRequestContent", `${field} must be a list of non-empty strings.`);
  return value.map((v: string) => v.trim());
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw armError("InvalidRequestContent", `${field} must be a string.`);
  return value;
}

function permissionList(value: unknown, field: string): PermissionRecord[] {
  if (!Array.isArray(value))
    throw armError("InvalidRequestContent", `${field} must be a list of {actions, notActions, dataActions, notDataActions}.`);
  return value.map((raw, i) => {
    if (!raw || typeof raw !== "object") throw armError("InvalidRequestContent", `${field}[${i}] must be an object.`);
    const block = raw as Json;
    const permission: PermissionRecord = {
      actions: stringList(block.actions, `${field}[${i}].actions`),
      notActions: stringList(block.notActions, `${field}[${i}].notActions`),
      dataActions: stringList(block.dataActions, `${field}[${i}].dataActions`),
      notDataActions: stringList(block.notDataActions, `${field}[${i}].notDataActions`),
    };
    const condition = optionalString(block.condition, `${field}[${i}].condition`);
    if (condition !== undefined) {
      permission.condition = condition;
      permission.conditionVersion = optionalString(block.conditionVersion, `${field}[${i}].conditionVersion`) ?? "2.0";
    }
    return permission;
  });
}

export function roleDefinitionInput(body: unknown): RoleDefinitionInput {
  const p = propertiesOf(body, `{"roleName": …, "permissions": […], "assignableScopes": […]}`);
  const roleName = optionalString(p.roleName, "properties.roleName");
  if (roleName === undefined) throw armError("InvalidRequestContent", "properties.roleName is required.");
  return {
    roleName,
    description: optionalString(p.description, "properties.description") ?? "",
    assignableScopes: stringList(p.assignableScopes, "properties.assignableScopes"),
    permissions: permissionList(p.permissions ?? [], "properties.permissions"),
  };
}

function principalList(value: unknown, field: string): { id: string; type: string }[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw armError("InvalidRequestContent", `${field} must be a list of {id, type}.`);
  return value.map((raw, i) => {
    const p = (raw ?? {}) as Json;
    if (typeof p.id !== "string" || typeof p.type !== "string")
      throw armError("InvalidRequestContent", `${field}[${i}] must be {"id": …, "type": …}.`);
    return { id: p.id.toLowerCase(), type: p.type };
  });
}

export function denyAssignmentInput(body: unknown): DenyAssignmentInput {
  const p = propertiesOf(body, `{"denyAssignmentName": …, "permissions": […], "principals": […]}`);
  const name = optionalString(p.denyAssignmentName, "properties.denyAssignmentName");
  if (name === undefined || name.trim() === "") throw armError("InvalidRequestContent", "properties.denyAssignmentName is required.");
  if (p.doNotApplyToChildScopes !== undefined && typeof p.doNotApplyToChildScopes !== "boolean") {
    throw armError("InvalidRequestContent", "properties.doNotApplyToChildScopes must be true or false.");
  }
  const input: DenyAssignmentInput = {
    denyAssignmentName: name,
    permissions: permissionList(p.permissions ?? [], "properties.permissions"),
    principals: principalList(p.principals, "properties.principals"),
    excludePrincipals: principalList(p.excludePrincipals, "properties.excludePrincipals"),
    doNotApplyToChildScopes: p.doNotApplyToChildScopes === true,
  };
  const description = optionalString(p.description, "properties.description");
  if (description !== undefined) input.description = description;
  return input;
}
