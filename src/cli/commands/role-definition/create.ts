import { randomUUID } from "node:crypto";
import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { command } from "../../command.ts";
import { readRoleDefinition, roleDefinitionBody } from "../../role-definition-file.ts";
import { azRoleDefinition, definitionsPath } from "../../role-lookup.ts";

export const options = {
  "role-definition": {
    type: "string",
    required: true,
    help: "The role as JSON, or @FILE (az's format: Name, Description, Actions, DataActions, AssignableScopes…).",
  },
} as const;

export const spec = command({
  path: ["role", "definition", "create"],
  summary: "Create a custom role definition.",
  options,
  examples: [{ text: "A role that may call models only.", command: "keyless role definition create --role-definition @maas-caller.json" }],
  async run(opts, ctx) {
    const { client } = await ctx.client();
    const input = readRoleDefinition(opts["role-definition"]);
    const { body } = await client.arm("PUT", `${definitionsPath(input.assignableScopes[0]!)}/${randomUUID()}`, {
      query: { "api-version": API_VERSIONS.roleDefinitions },
      body: roleDefinitionBody(input),
    });
    return azRoleDefinition(body);
  },
});
