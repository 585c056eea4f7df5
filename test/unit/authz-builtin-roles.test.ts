import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BuiltInRoleIds, builtInRoleById, builtInRoleByName, builtInRoles } from "../../src/authz/builtin-roles.ts";
import { isGuid } from "../../src/core/ids.ts";

const REQUIRED: Record<string, string> = {
  Owner: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
  Contributor: "b24988ac-6180-42a0-ab88-20f7382dd24c",
  Reader: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
  "User Access Administrator": "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
  "Role Based Access Control Administrator": "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
  "Cognitive Services Contributor": "25fbc0a9-bd7c-42a3-aa1a-3b75d497ee68",
  "Cognitive Services User": "a97b65f3-24c7-4388-baec-2e87135dc908",
  "Cognitive Services OpenAI User": "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd",
  "Cognitive Services OpenAI Contributor": "a001fd3d-188f-4b5d-821b-7da978bf7442",
  "Cognitive Services Data Reader": "b59867f0-fa02-499b-be73-45a86b5b3e1c",
  "Cognitive Services Usages Reader": "bba48692-92b0-4667-a9ad-c31c7b334ac2",
  "Azure AI Developer": "64702f94-c441-49e6-a78b-ef80e0188fee",
  "Foundry User": "53ca6127-db72-4b80-b1b0-d745d6d5456d",
  "Foundry Owner": "c883944f-8b7b-4483-af10-35834be79c4a",
  "Foundry Project Manager": "eadc314b-1a2d-4efa-be10-5d325db5065e",
  "Azure AI Account Owner": "e47c6f54-e4a2-4754-9501-8e0985b135e1",
  "Azure AI Inference Deployment Operator": "3afb7f49-54cb-416e-8c09-6dc049efa503",
  "Cognitive Services Data Contributor (Preview)": "19c28022-e58e-450d-a464-0b2a53034789",
};

describe("built-in role catalog", () => {
  it("holds every required role under its real GUID", () => {
    for (const [name, id] of Object.entries(REQUIRED)) {
      assert.equal(builtInRoleByName(name)?.id, id, name);
      assert.equal(builtInRoleById(id)?.roleName, name, id);
    }
  });
  it("has unique lower-case GUIDs and unique names", () => {
    assert.equal(new Set(builtInRoles.map((r) => r.id)).size, builtInRoles.length);
    assert.equal(new Set(builtInRoles.map((r) => r.roleName.toLowerCase())).size, builtInRoles.length);
    for (const role of builtInRoles) {
      assert.ok(isGuid(role.id) && role.id === role.id.toLowerCase(), role.id);
      assert.equal(role.roleType, "BuiltInRole");
      assert.deepEqual(role.assignableScopes, ["/"]);
      assert.ok(role.description.length > 0 && role.permissions.length > 0, role.roleName);
    }
  });
  it("looks names up case-insensitively and ids case-insensitively", () => {
    assert.equal(builtInRoleByName("cognitive services user")?.id, BuiltInRoleIds.COGNITIVE_SERVICES_USER);
    assert.equal(builtInRoleById(BuiltInRoleIds.OWNER.toUpperCase())?.roleName, "Owner");
    assert.equal(builtInRoleByName("No Such Role"), undefined);
    assert.equal(builtInRoleById("00000000-0000-0000-0000-000000000001"), undefined);
  });
  it("resolves the former Foundry role names", () => {
    assert.equal(builtInRoleByName("Azure AI User")?.roleName, "Foundry User");
    assert.equal(builtInRoleByName("Azure AI Project Manager")?.roleName, "Foundry Project Manager");
    assert.equal(builtInRoleByName("Azure AI Owner")?.roleName, "Foundry Owner");
    assert.equal(builtInRoleByName("Foundry Account Owner")?.roleName, "Azure AI Account Owner");
  });
  it("exports the most used GUIDs", () => {
    assert.equal(BuiltInRoleIds.OWNER, REQUIRED.Owner);
    assert.equal(BuiltInRoleIds.CONTRIBUTOR, REQUIRED.Contributor);
    assert.equal(BuiltInRoleIds.READER, REQUIRED.Reader);
    assert.equal(BuiltInRoleIds.COGNITIVE_SERVICES_CONTRIBUTOR, REQUIRED["Cognitive Services Contributor"]);
    assert.equal(BuiltInRoleIds.COGNITIVE_SERVICES_OPENAI_USER, REQUIRED["Cognitive Services OpenAI User"]);
  });
  it("gives the general roles no data actions", () => {
    for (const name of ["Owner", "Contributor", "Reader", "User Access Administrator", "Azure AI Account Owner"]) {
      assert.ok(
        builtInRoleByName(name)!.permissions.every((p) => p.dataActions.length === 0),
        name,
      );
    }
  });
  it("is frozen, so no caller can change what a role grants", () => {
    const owner = builtInRoleByName("Owner")!;
    assert.ok(Object.isFrozen(builtInRoles) && Object.isFrozen(owner) && Object.isFrozen(owner.permissions[0]!.actions));
    assert.throws(() => {
      (owner.permissions[0]!.actions as string[]).push("x");
    }, TypeError);
  });
  it("puts the delegation condition only on the Foundry delegating roles", () => {
    const conditioned = builtInRoles.filter((r) => r.permissions.some((p) => p.condition !== undefined)).map((r) => r.roleName);
    assert.deepEqual(conditioned.sort(), ["Azure AI Account Owner", "Foundry Owner", "Foundry Project Manager"]);
    for (const role of builtInRoles) for (const p of role.permissions) if (p.condition) assert.equal(p.conditionVersion, "2.0");
  });
});
