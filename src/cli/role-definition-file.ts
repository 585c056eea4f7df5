import { readFileSync } from "node:fs";
import { UsageError } from "./cli-error.ts";

interface RoleDefinitionInput {
  name?: string;
  id?: string;
  roleName: string;
  description?: string;
  actions?: string[];
  notActions?: string[];
  dataActions?: string[];
  notDataActions?: string[];
  assignableScopes: string[];
}

const lowerFirst = (key: string) => key.charAt(0).toLowerCase() + key.slice(1);

/** `--role-definition` as az reads it: inline JSON or `@file`; PascalCase keys accepted; `Name` is the role name. */
export function readRoleDefinition(text: string): RoleDefinitionInput {
  let raw: unknown;
  try {
    raw = JSON.parse(text.startsWith("@") ? readFileSync(text.slice(1), "utf8") : text);
  } catch (err) {
    throw new UsageError(`argument --role-definition: not JSON or not a readable @file (${(err as Error).message}).`);
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new UsageError("argument --role-definition: must be a JSON object.");
  const input = Object.fromEntries(Object.entries(raw).map(([k, v]) => [lowerFirst(k), v])) as Record<string, unknown>;
  const roleName = (input.roleName ?? input.name) as string | undefined;
  if (typeof roleName !== "string" || roleName === "")
    throw new UsageError("argument --role-definition: 'Name' (the role name) is required.");
  if (!Array.isArray(input.assignableScopes) || input.assignableScopes.length === 0) {
    throw new UsageError("argument --role-definition: 'AssignableScopes' is required, e.g. [\"/subscriptions/SUBSCRIPTION_ID\"].");
  }
  return {
    ...(input as Omit<RoleDefinitionInput, "roleName">),
    roleName,
    ...(input.roleName ? { name: input.name as string } : {}),
  } as RoleDefinitionInput;
}

/** The ARM body of a role definition PUT. */
export function roleDefinitionBody(input: RoleDefinitionInput) {
  return {
    properties: {
      roleName: input.roleName,
      description: input.description ?? "",
      type: "CustomRole",
      permissions: [
        {
          actions: input.actions ?? [],
          notActions: input.notActions ?? [],
          dataActions: input.dataActions ?? [],
          notDataActions: input.notDataActions ?? [],
        },
      ],
      assignableScopes: input.assignableScopes,
    },
  };
}
