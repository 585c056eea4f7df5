import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { NotFoundError } from "../../cli-error.ts";
import { command } from "../../command.ts";
import { readRoleDefinition, roleDefinitionBody } from "../../role-definition-file.ts";
import { azRoleDefinition, definitionsPath, listRoleDefinitions } from "../../role-lookup.ts";

export const options = {
  "role-definition": { type: "string", required: true, help: "The updated role as JSON or @FILE; found by its Id or Name." },
} as const;

export const spec = command({
  path: ["role", "definition", "update"],
  summary: "Update a custom role definition.",
  options,
  examples: [{ text: "Update a role from a file.", command: "keyless role definition update --role-definition @maas-caller.json" }],
  async run(opts, ctx) {
    const { client } = await ctx.client();
    const input = readRoleDefinition(opts["role-definition"]);
    const scope = input.assignableScopes[0]!;
    const existing = (await listRoleDefinitions(client, scope)).find(
      (d) =>
        d.properties.type === "CustomRole" &&
        (d.properties.roleName === input.roleName || (input.id && d.id.toLowerCase().endsWith(input.id.toLowerCase()))),
    );
    if (!existing)
      throw new NotFoundError(
        `No custom role named '${input.roleName}' at ${scope}. Create it with 'keyless role definition create'.`,
        "RoleDefinitionDoesNotExist",
      );
    const { body } = await client.arm("PUT", `${definitionsPath(scope)}/${existing.name}`, {
      query: { "api-version": API_VERSIONS.roleDefinitions },
      body: roleDefinitionBody(input),
    });
    return azRoleDefinition(body);
  },
});
