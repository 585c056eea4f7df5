import { randomUUID } from "node:crypto";
import { API_VERSIONS, type KeylessClient } from "../../client/keyless-client.ts";
import { RestError } from "../../client/rest-error.ts";
import { accountPath, resourceGroupPath } from "../arm-paths.ts";
import { CliError } from "../cli-error.ts";
import { resolveRoleId } from "../role-lookup.ts";
import type { World } from "./world-file.ts";

/**
 * One line of what `apply` did (`created`, `added`, `unchanged`) or, with `--dry-run`, would do (`create`, `add`,
 * `unchanged`); `secret` is shown once, when a client secret was created. Applying never updates or deletes.
 */
export interface Change {
  action: "created" | "unchanged" | "added" | "create" | "add";
  kind: string;
  name: string;
  id?: string;
  appId?: string;
  secret?: string;
}

type GraphObject = { id: string; appId?: string; displayName?: string; passwordCredentials?: { displayName?: string | null }[] };

const quote = (text: string) => text.replace(/'/g, "''");

/**
 * How one run goes: for real, or as a plan (`dryRun`: only reads; `planned` holds the principal references, as
 * `user:UPN`, `group:NAME`, `app:NAME`, that the plan would create, so later steps may refer to them).
 */
interface Run {
  client: KeylessClient;
  dryRun: boolean;
  planned: Set<string>;
}

/**
 * Makes the world exist through the public REST API, in dependency order (directory, then resources, then role
 * assignments). Idempotent: anything that already exists by name is left as it is and reported `unchanged`.
 * With `dryRun` nothing is written: the result is the plan, `create`/`add` for what applying would do.
 */
export async function applyWorld(
  client: KeylessClient,
  subscriptionId: string,
  world: World,
  options: { dryRun?: boolean } = {},
): Promise<Change[]> {
  const run: Run = { client, dryRun: options.dryRun === true, planned: new Set() };
  const changes: Change[] = [];
  for (const user of world.users) changes.push(await ensureUser(run, user));
  for (const app of world.apps) changes.push(...(await ensureApp(run, app)));
  for (const group of world.groups) changes.push(...(await ensureGroup(run, group)));
  for (const rg of world.resourceGroups) changes.push(...(await ensureResourceGroup(run, subscriptionId, rg)));
  for (const assignment of world.roleAssignments) changes.push(await ensureAssignment(run, subscriptionId, assignment));
  return changes;
}

async function findOne(client: KeylessClient, path: string, filter: string): Promise<GraphObject | undefined> {
  return ((await client.list("graph", path, { $filter: filter })) as GraphObject[])[0];
}

async function armGet(client: KeylessClient, path: string, apiVersion: string): Promise<unknown> {
  try {
    return (await client.arm("GET", path, { query: { "api-version": apiVersion } })).body;
  } catch (err) {
    if (err instanceof RestError && err.status === 404) return undefined;
    throw err;
  }
}

async function ensureUser(run: Run, user: World["users"][number]): Promise<Change> {
  const { client } = run;
  const existing = await findOne(client, "/users", `userPrincipalName eq '${quote(user.userPrincipalName)}'`);
  if (existing) return { action: "unchanged", kind: "user", name: user.userPrincipalName, id: existing.id };
  if (run.dryRun) {
    run.planned.add(`user:${user.userPrincipalName.toLowerCase()}`);
    return { action: "create", kind: "user", name: user.userPrincipalName };
  }
  const { body } = await client.graph("POST", "/users", {
    body: {
      accountEnabled: user.accountEnabled ?? true,
      displayName: user.displayName ?? user.userPrincipalName.split("@")[0],
      userPrincipalName: user.userPrincipalName,
      mailNickname: user.userPrincipalName.split("@")[0],
      passwordProfile: { password: user.password, forceChangePasswordNextSignIn: false },
    },
  });
  return { action: "created", kind: "user", name: user.userPrincipalName, id: (body as GraphObject).id };
}

async function ensureApp(run: Run, app: World["apps"][number]): Promise<Change[]> {
  const { client } = run;
  const changes: Change[] = [];
  let application = await findOne(client, "/applications", `displayName eq '${quote(app.displayName)}'`);
  if (!application && run.dryRun) {
    run.planned.add(`app:${app.displayName}`);
    changes.push({ action: "create", kind: "app", name: app.displayName });
    if (app.servicePrincipal !== false) changes.push({ action: "create", kind: "servicePrincipal", name: app.displayName });
    for (const secret of app.secrets ?? [])
      changes.push({ action: "create", kind: "secret", name: `${app.displayName}/${secret.displayName}` });
    return changes;
  }
  if (application) changes.push({ action: "unchanged", kind: "app", name: app.displayName, id: application.id, appId: application.appId! });
  else {
    application = (await client.graph("POST", "/applications", { body: { displayName: app.displayName } })).body as GraphObject;
    changes.push({ action: "created", kind: "app", name: app.displayName, id: application.id, appId: application.appId! });
  }
  if (app.servicePrincipal !== false) {
    const sp = await findOne(client, "/servicePrincipals", `appId eq '${application.appId}'`);
    if (sp) changes.push({ action: "unchanged", kind: "servicePrincipal", name: app.displayName, id: sp.id, appId: application.appId! });
    else if (run.dryRun) {
      run.planned.add(`app:${app.displayName}`);
      changes.push({ action: "create", kind: "servicePrincipal", name: app.displayName, appId: application.appId! });
    } else {
      const created = (await client.graph("POST", "/servicePrincipals", { body: { appId: application.appId } })).body as GraphObject;
      changes.push({ action: "created", kind: "servicePrincipal", name: app.displayName, id: created.id, appId: application.appId! });
    }
  }
  for (const secret of app.secrets ?? []) {
    if ((application.passwordCredentials ?? []).some((c) => c.displayName === secret.displayName)) {
      changes.push({ action: "unchanged", kind: "secret", name: `${app.displayName}/${secret.displayName}`, appId: application.appId! });
      continue;
    }
    if (run.dryRun) {
      changes.push({ action: "create", kind: "secret", name: `${app.displayName}/${secret.displayName}`, appId: application.appId! });
      continue;
    }
    const { body } = await client.graph("POST", `/applications/${application.id}/addPassword`, {
      body: { passwordCredential: { displayName: secret.displayName } },
    });
    changes.push({
      action: "created",
      kind: "secret",
      name: `${app.displayName}/${secret.displayName}`,
      appId: application.appId!,
      secret: (body as { secretText: string }).secretText,
    });
  }
  return changes;
}

/** The principal reference in the form `planned` keeps: `user:UPN` (lower case), `group:NAME` or `app:NAME`. */
function plannedRef(ref: string): string {
  if (ref.startsWith("group:") || ref.startsWith("app:")) return ref;
  return `user:${ref.replace(/^user:/, "").toLowerCase()}`;
}

/**
 * The object id of `alice@x`, `user:alice@x`, `group:NAME` or `app:NAME` (the app's service principal); in a plan,
 * `undefined` for a principal the plan creates.
 */
async function principalId({ client, dryRun, planned }: Run, ref: string): Promise<string | undefined> {
  const [kind, name] = ref.startsWith("group:")
    ? ["group", ref.slice(6)]
    : ref.startsWith("app:")
      ? ["app", ref.slice(4)]
      : ["user", ref.replace(/^user:/, "")];
  let found: GraphObject | undefined;
  if (kind === "user") found = await findOne(client, "/users", `userPrincipalName eq '${quote(name!)}'`);
  else if (kind === "group") found = await findOne(client, "/groups", `displayName eq '${quote(name!)}'`);
  else {
    const app = await findOne(client, "/applications", `displayName eq '${quote(name!)}'`);
    found = app && (await findOne(client, "/servicePrincipals", `appId eq '${app.appId}'`));
  }
  if (!found && dryRun && planned.has(plannedRef(ref))) return undefined;
  if (!found)
    throw new CliError(`The principal '${ref}' does not exist; declare it in the world file (users, groups or apps) or create it first.`, {
      code: "PrincipalNotFound",
    });
  return found.id;
}

async function ensureGroup(run: Run, group: World["groups"][number]): Promise<Change[]> {
  const { client } = run;
  const changes: Change[] = [];
  let existing = await findOne(client, "/groups", `displayName eq '${quote(group.displayName)}'`);
  if (!existing && run.dryRun) {
    run.planned.add(`group:${group.displayName}`);
    changes.push({ action: "create", kind: "group", name: group.displayName });
    for (const member of group.members ?? []) {
      const id = await principalId(run, member);
      changes.push({ action: "add", kind: "member", name: `${group.displayName} ← ${member}`, ...(id ? { id } : {}) });
    }
    return changes;
  }
  if (existing) changes.push({ action: "unchanged", kind: "group", name: group.displayName, id: existing.id });
  else {
    existing = (
      await client.graph("POST", "/groups", {
        body: {
          displayName: group.displayName,
          mailNickname: group.mailNickname ?? group.displayName.replace(/[^\w-]/g, ""),
          mailEnabled: false,
          securityEnabled: true,
          ...(group.description ? { description: group.description } : {}),
        },
      })
    ).body as GraphObject;
    changes.push({ action: "created", kind: "group", name: group.displayName, id: existing.id });
  }
  if (!group.members?.length) return changes;
  const current = new Set(((await client.list("graph", `/groups/${existing.id}/members`)) as GraphObject[]).map((m) => m.id.toLowerCase()));
  for (const member of group.members) {
    const id = await principalId(run, member);
    if (id && current.has(id.toLowerCase())) continue;
    if (run.dryRun || !id) {
      changes.push({ action: "add", kind: "member", name: `${group.displayName} ← ${member}`, ...(id ? { id } : {}) });
      continue;
    }
    await client.graph("POST", `/groups/${existing.id}/members/$ref`, {
      body: { "@odata.id": client.url("graph", `/directoryObjects/${id}`) },
    });
    changes.push({ action: "added", kind: "member", name: `${group.displayName} ← ${member}`, id });
  }
  return changes;
}

async function ensureResourceGroup(run: Run, subscriptionId: string, rg: World["resourceGroups"][number]): Promise<Change[]> {
  const { client } = run;
  const changes: Change[] = [];
  const path = resourceGroupPath(subscriptionId, rg.name);
  if (await armGet(client, path, API_VERSIONS.resources)) changes.push({ action: "unchanged", kind: "resourceGroup", name: rg.name });
  else if (run.dryRun) changes.push({ action: "create", kind: "resourceGroup", name: rg.name });
  else {
    await client.arm("PUT", path, { query: { "api-version": API_VERSIONS.resources }, body: { location: rg.location } });
    changes.push({ action: "created", kind: "resourceGroup", name: rg.name });
  }
  for (const account of rg.accounts ?? []) {
    const accountId = accountPath(subscriptionId, rg.name, account.name);
    if (await armGet(client, accountId, API_VERSIONS.cognitive))
      changes.push({ action: "unchanged", kind: "account", name: `${rg.name}/${account.name}` });
    else if (run.dryRun) changes.push({ action: "create", kind: "account", name: `${rg.name}/${account.name}` });
    else {
      await client.arm("PUT", accountId, {
        query: { "api-version": API_VERSIONS.cognitive },
        body: {
          kind: account.kind ?? "AIServices",
          sku: { name: account.sku ?? "S0" },
          location: account.location ?? rg.location,
          properties: account.disableLocalAuth ? { disableLocalAuth: true } : {},
        },
      });
      changes.push({ action: "created", kind: "account", name: `${rg.name}/${account.name}` });
    }
    for (const deployment of account.deployments ?? []) {
      const deploymentPath = `${accountId}/deployments/${encodeURIComponent(deployment.name)}`;
      if (await armGet(client, deploymentPath, API_VERSIONS.cognitive)) {
        changes.push({ action: "unchanged", kind: "deployment", name: `${rg.name}/${account.name}/${deployment.name}` });
        continue;
      }
      if (run.dryRun) {
        changes.push({ action: "create", kind: "deployment", name: `${rg.name}/${account.name}/${deployment.name}` });
        continue;
      }
      await client.arm("PUT", deploymentPath, {
        query: { "api-version": API_VERSIONS.cognitive },
        body: { properties: { model: deployment.model, scaleSettings: { scaleType: "Standard" } } },
      });
      changes.push({ action: "created", kind: "deployment", name: `${rg.name}/${account.name}/${deployment.name}` });
    }
  }
  return changes;
}

/** `subscription`, `RG`, `RG/ACCOUNT` or a full id → a scope id. */
function scopeFromRef(subscriptionId: string, ref: string): string {
  if (ref === "subscription") return `/subscriptions/${subscriptionId}`;
  if (ref.startsWith("/")) return ref;
  const [group, account] = ref.split("/");
  return account ? accountPath(subscriptionId, group!, account) : resourceGroupPath(subscriptionId, group!);
}

/** ARM's answer, or `fallback` when a plan reads a scope that does not exist yet (404). */
async function orWhenMissing<T>(run: Run, read: () => Promise<T>, fallback: () => Promise<T> | T): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (run.dryRun && err instanceof RestError && err.status === 404) return fallback();
    throw err;
  }
}

async function ensureAssignment(run: Run, subscriptionId: string, assignment: World["roleAssignments"][number]): Promise<Change> {
  const { client } = run;
  const scope = scopeFromRef(subscriptionId, assignment.scope);
  const principal = await principalId(run, assignment.principal);
  // A plan may name a scope the plan itself creates: its roles are the subscription's (custom roles aside).
  const roleDefinitionId = await orWhenMissing(
    run,
    () => resolveRoleId(client, subscriptionId, scope, assignment.role),
    () => resolveRoleId(client, subscriptionId, `/subscriptions/${subscriptionId}`, assignment.role),
  );
  const name = `${assignment.role} → ${assignment.principal} @ ${assignment.scope}`;
  if (principal === undefined) return { action: "create", kind: "roleAssignment", name };
  const guid = (id: string) => id.split("/").at(-1)!.toLowerCase();
  const existing = (
    (await orWhenMissing(
      run,
      () =>
        client.list("arm", `${scope}/providers/Microsoft.Authorization/roleAssignments`, {
          $filter: `principalId eq '${principal}'`,
          "api-version": API_VERSIONS.roleAssignments,
        }),
      () => [],
    )) as {
      id: string;
      properties: { scope: string; roleDefinitionId: string };
    }[]
  ).find((a) => a.properties.scope.toLowerCase() === scope.toLowerCase() && guid(a.properties.roleDefinitionId) === guid(roleDefinitionId));
  if (existing) return { action: "unchanged", kind: "roleAssignment", name, id: existing.id };
  if (run.dryRun) return { action: "create", kind: "roleAssignment", name };
  const { body } = await client.arm("PUT", `${scope}/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}`, {
    query: { "api-version": API_VERSIONS.roleAssignments },
    body: { properties: { roleDefinitionId, principalId: principal } },
  });
  return { action: "created", kind: "roleAssignment", name, id: (body as { id: string }).id };
}
