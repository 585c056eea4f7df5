import assert from "node:assert/strict";
import { test } from "node:test";
import { diffResource } from "../../src/arm/templates/index.ts";

const deployed = {
  id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/a",
  name: "a",
  type: "Microsoft.CognitiveServices/accounts",
  location: "East US",
  kind: "AIServices",
  sku: { name: "S0" },
  tags: { env: "dev", owner: "x" },
  properties: {
    customSubDomainName: "a",
    provisioningState: "Succeeded",
    endpoint: "https://a/",
    networkAcls: { defaultAction: "Allow", ipRules: [{ value: "1.1.1.1" }] },
  },
};

test("nothing deployed → Create", () => {
  assert.deepEqual(diffResource(undefined, { location: "local" }), { changeType: "Create", delta: [] });
});

test("the same body → NoChange: read-only and identity fields are ignored, locations compare without case and spaces", () => {
  const after = {
    location: "eastus",
    kind: "AIServices",
    sku: { name: "S0" },
    tags: { env: "dev", owner: "x" },
    properties: { customSubDomainName: "a" },
  };
  assert.deepEqual(diffResource(deployed, after, { ignore: ["properties.provisioningState", "properties.endpoint"] }), {
    changeType: "NoChange",
    delta: [],
  });
});

test("property changes in ARM what-if's shape: Modify with children, Create, Delete, Array", () => {
  const after = {
    location: "eastus",
    kind: "AIServices",
    sku: { name: "S1" },
    tags: { env: "prod", owner: "x", team: "ml" },
    properties: {
      customSubDomainName: "a",
      disableLocalAuth: true,
      networkAcls: { defaultAction: "Allow", ipRules: [{ value: "1.1.1.1" }, { value: "2.2.2.2" }] },
      publicNetworkAccess: null,
    },
  };
  const result = diffResource({ ...deployed, properties: { ...deployed.properties, publicNetworkAccess: "Enabled" } }, after, {
    ignore: ["properties.provisioningState", "properties.endpoint"],
  });
  assert.equal(result.changeType, "Modify");
  assert.deepEqual(result.delta, [
    { path: "sku", propertyChangeType: "Modify", children: [{ path: "name", propertyChangeType: "Modify", before: "S0", after: "S1" }] },
    {
      path: "tags",
      propertyChangeType: "Modify",
      children: [
        { path: "env", propertyChangeType: "Modify", before: "dev", after: "prod" },
        { path: "team", propertyChangeType: "Create", after: "ml" },
      ],
    },
    {
      path: "properties",
      propertyChangeType: "Modify",
      children: [
        { path: "disableLocalAuth", propertyChangeType: "Create", after: true },
        {
          path: "networkAcls",
          propertyChangeType: "Modify",
          children: [
            {
              path: "ipRules",
              propertyChangeType: "Array",
              children: [{ path: "1", propertyChangeType: "Create", after: { value: "2.2.2.2" } }],
            },
          ],
        },
        { path: "publicNetworkAccess", propertyChangeType: "Delete", before: "Enabled" },
      ],
    },
  ]);
});

test("ignored paths may be prefixes", () => {
  const result = diffResource(
    deployed,
    { properties: { networkAcls: { defaultAction: "Deny" } } },
    { ignore: ["properties.networkAcls.*"] },
  );
  assert.equal(result.changeType, "NoChange");
});
