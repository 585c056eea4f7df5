import { grantSubscriptionOwner } from "./authz/assignment-writes.ts";
import { newAccountKeys } from "./arm/account-keys.ts";
import { newAccount, newDeployment, newResourceGroup } from "./arm/cognitive-services.ts";
import type { SealedBox } from "./core/sealed-box.ts";
import { type Clock, nowIso } from "./core/clock.ts";
import { newGuid, newSecret } from "./core/ids.ts";
import type { Directory } from "./directory/directory.ts";
import { DirectoryRoles } from "./directory/principals.ts";
import type { Store } from "./storage/store.ts";

interface BootstrapInput {
  tenantDomain: string;
  adminUsername: string;
  adminPassword: string | undefined;
  demo: boolean;
}

export interface BootstrapFacts {
  tenantId: string;
  subscriptionId: string;
  adminUsername: string;
  adminObjectId: string;
  /** Set only on the start that created the admin with a generated password. */
  generatedAdminPassword: string | undefined;
  /** A later start was given an administrator password that is not the admin's: it is not applied (first start only). */
  adminPasswordIgnored?: boolean;
  demo: { resourceGroup: string; account: string; deployment: string } | undefined;
}

const DEMO = {
  resourceGroup: "keyless-demo",
  account: "keyless-demo",
  deployment: "echo",
  embeddings: "embed",
  location: "local",
} as const;

/**
 * First start: a tenant, a subscription, the admin (Global Administrator, Owner of the subscription) and a demo
 * account with a deployment on a built-in model. Later starts find the facts in storage and change nothing.
 */
export async function bootstrap(
  store: Store,
  directory: Directory,
  clock: Clock,
  input: BootstrapInput,
  box: SealedBox,
): Promise<BootstrapFacts> {
  const existing = await store.keys.getMeta("bootstrap");
  if (existing) {
    const facts = JSON.parse(existing) as BootstrapFacts;
    const ignored =
      input.adminPassword !== undefined && (await directory.verifyUserPassword(facts.adminUsername, input.adminPassword)) === undefined;
    return { ...facts, generatedAdminPassword: undefined, adminPasswordIgnored: ignored };
  }

  const at = nowIso(clock);
  const tenant = await directory.createTenant("Keyless", input.tenantDomain);
  const subscriptionId = newGuid();
  await store.resources.insertSubscription({
    id: subscriptionId,
    tenantId: tenant.id,
    displayName: "Keyless Subscription",
    state: "Enabled",
    createdAt: at,
  });

  const generatedAdminPassword = input.adminPassword === undefined ? newSecret(18) : undefined;
  const admin = await directory.createUser(tenant.id, {
    userPrincipalName: input.adminUsername,
    displayName: "Keyless Administrator",
    password: input.adminPassword ?? generatedAdminPassword!,
  });
  await directory.grantDirectoryRole(tenant.id, DirectoryRoles.globalAdministrator, admin.id);
  await grantSubscriptionOwner(store.rbac, clock, {
    subscriptionId,
    tenantId: tenant.id,
    principalId: admin.id,
    principalType: "User",
    description: "Bootstrap administrator",
    by: null,
  });

  const demo = input.demo ? await createDemo(store, box, subscriptionId, admin.id, at) : undefined;
  const facts: BootstrapFacts = {
    tenantId: tenant.id,
    subscriptionId,
    adminUsername: admin.userPrincipalName,
    adminObjectId: admin.id,
    generatedAdminPassword: undefined,
    demo,
  };
  const stored = await store.keys.putMetaOnce("bootstrap", JSON.stringify(facts));
  return { ...(JSON.parse(stored) as BootstrapFacts), generatedAdminPassword };
}

async function createDemo(store: Store, box: SealedBox, subscriptionId: string, createdBy: string, at: string) {
  await store.resources.upsertResource(
    newResourceGroup({ subscriptionId, name: DEMO.resourceGroup, location: DEMO.location, createdBy, at }),
  );
  const account = newAccount({
    subscriptionId,
    resourceGroup: DEMO.resourceGroup,
    name: DEMO.account,
    location: DEMO.location,
    kind: "AIServices",
    createdBy,
    at,
  });
  // Like every account, the demo account gets its two keys at creation.
  await store.arm.insertResourceWithKeys(account, newAccountKeys(box, account.id, at), [account.name]);
  await store.resources.upsertResource(
    newDeployment(account, {
      name: DEMO.deployment,
      model: { format: "Keyless", name: "keyless-echo", version: "1" },
      capacity: 100,
      createdBy,
      at,
    }),
  );
  await store.resources.upsertResource(
    newDeployment(account, {
      name: DEMO.embeddings,
      model: { format: "Keyless", name: "keyless-embed", version: "1" },
      capacity: 100,
      createdBy,
      at,
    }),
  );
  return { resourceGroup: DEMO.resourceGroup, account: DEMO.account, deployment: DEMO.deployment };
}
