/**
 * RBAC decision benchmark: latency (p50/p99) of one access decision by the compiled authorizer, cached and
 * uncached, for 10, 10k and 100k role assignments, a caller in 1 or 50 groups, at scope depth 5 (root >
 * subscription > resource group > account > deployment), side by side with casbin (npm) enforcing the same
 * assignments, groups, scope inheritance and wildcard actions in the same run. Not a timed test (docs/benchmarks.md).
 *
 *   node bench/rbac.ts [--quick]      (npm run bench:rbac)
 */
import { availableParallelism, cpus } from "node:os";
import { newEnforcer, newModelFromString } from "casbin";
import {
  BuiltInRoleIds,
  createAuthorizer,
  createPolicy,
  type Membership,
  type RoleAssignment,
  type RoleDefinition,
} from "../src/authz/index.ts";

const QUICK = process.argv.includes("--quick");
const SIZES = [10, 10_000, 100_000];
const GROUP_COUNTS = [1, 50];
const CHAT = "Microsoft.CognitiveServices/accounts/MaaS/chat/completions/action";
const SUB = "/subscriptions/00000000-0000-0000-0000-0000000000b1";
const RESOURCE_GROUPS = 20;
const ACCOUNTS_PER_GROUP = 50;

/** Deterministic pseudo-random numbers (mulberry32), so every run builds the same model. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rg = (i: number) => `${SUB}/resourceGroups/rg-${i}`;
const account = (g: number, a: number) => `${rg(g)}/providers/Microsoft.CognitiveServices/accounts/acct-${g}-${a}`;

const MAAS_ROLE: RoleDefinition = {
  id: "7b3c1e52-0000-4000-8000-00000000bench",
  roleName: "Bench MaaS Caller",
  roleType: "CustomRole",
  description: "bench",
  assignableScopes: [SUB],
  permissions: [{ actions: [], notActions: [], dataActions: ["Microsoft.CognitiveServices/accounts/MaaS/*"], notDataActions: [] }],
};
const ROLES = [
  BuiltInRoleIds.READER,
  BuiltInRoleIds.CONTRIBUTOR,
  BuiltInRoleIds.COGNITIVE_SERVICES_USER,
  BuiltInRoleIds.COGNITIVE_SERVICES_OPENAI_USER,
  MAAS_ROLE.id,
];

interface Model {
  assignments: RoleAssignment[];
  memberships: Membership[];
  /** The account the caller's grant covers (through its last group, at the resource group above it). */
  target: string;
}

/**
 * `size` assignments spread over principals (about four each) and every scope level; the caller belongs to
 * `groups` groups, each with two unrelated assignments, and only the last group holds a role that grants chat, at
 * the resource group above the account.
 */
function buildModel(size: number, groups: number): Model {
  const next = random(size * 100 + groups);
  const principals = Math.max(5, Math.floor(size / 4));
  const assignments: RoleAssignment[] = [];
  const memberships: Membership[] = [];
  for (let g = 0; g < groups; g++) memberships.push({ groupId: `grp-${g}`, memberId: "caller" });
  const target = account(7, 7);
  // Each group holds two unrelated Reader assignments, so the caller's principal set really is 1 + groups ids to look up.
  for (let g = 0; g < groups && assignments.length < size - 1; g++) {
    for (const scope of [rg((g + 1) % RESOURCE_GROUPS), account((g + 3) % RESOURCE_GROUPS, g % ACCOUNTS_PER_GROUP)]) {
      if (assignments.length < size - 1)
        assignments.push({
          id: `ra-${assignments.length}`,
          scope,
          roleDefinitionId: BuiltInRoleIds.READER,
          principalId: `grp-${g}`,
          principalType: "Group",
        });
    }
  }
  // Azure keeps (principal, role, scope) unique; so does the generator.
  const seen = new Set<string>();
  while (assignments.length < size - 1) {
    const g = Math.floor(next() * RESOURCE_GROUPS);
    const a = Math.floor(next() * ACCOUNTS_PER_GROUP);
    const level = Math.floor(next() * 4);
    const scope =
      level === 0 ? SUB : level === 1 ? rg(g) : level === 2 ? account(g, a) : `${account(g, a)}/deployments/d${Math.floor(next() * 10)}`;
    const principal = `p-${Math.floor(next() * principals)}`;
    const role = ROLES[Math.floor(next() * ROLES.length)]!;
    const key = `${principal} ${role} ${scope}`;
    if (seen.has(key)) continue;
    seen.add(key);
    assignments.push({ id: `ra-${assignments.length}`, scope, roleDefinitionId: role, principalId: principal, principalType: "User" });
  }
  // Last, so casbin (which stops at the first allowing policy line) scans the whole policy as it must for a denial.
  assignments.push({
    id: "grant",
    scope: rg(7),
    roleDefinitionId: BuiltInRoleIds.COGNITIVE_SERVICES_USER,
    principalId: `grp-${groups - 1}`,
    principalType: "Group",
  });
  return { assignments, memberships, target };
}

function percentiles(samples: Float64Array): { p50: number; p99: number } {
  const sorted = Float64Array.from(samples).sort();
  return { p50: sorted[Math.floor(sorted.length * 0.5)]!, p99: sorted[Math.floor(sorted.length * 0.99)]! };
}

/** Per-call nanoseconds of `run(i)` for `count` calls after `warm` unmeasured ones. */
function measure(count: number, warm: number, run: (i: number) => unknown): { p50: number; p99: number } {
  for (let i = 0; i < warm; i++) run(i);
  const samples = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const start = process.hrtime.bigint();
    run(warm + i);
    samples[i] = Number(process.hrtime.bigint() - start);
  }
  return percentiles(samples);
}

/** Per-call nanoseconds, stopping after `budgetMs` (casbin at 100k assignments takes milliseconds per call). */
function measureFor(budgetMs: number, max: number, run: (i: number) => unknown): { p50: number; p99: number; calls: number } {
  const samples: number[] = [];
  const end = performance.now() + budgetMs;
  for (let i = 0; i < max && (samples.length < 10 || performance.now() < end); i++) {
    const start = process.hrtime.bigint();
    run(i);
    samples.push(Number(process.hrtime.bigint() - start));
  }
  return { ...percentiles(Float64Array.from(samples)), calls: samples.length };
}

function globRegex(pattern: string): string {
  return `^${pattern
    .toLowerCase()
    .replace(/[.+?^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")}$`;
}

const CASBIN_MODEL = `
[request_definition]
r = sub, scope, act
[policy_definition]
p = sub, scope, act
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub) && (r.scope == p.scope || keyMatch(r.scope, p.scope + "/*")) && regexMatch(r.act, p.act)
`;

/**
 * The same model for casbin: one policy line per assignment and permission pattern (lower-cased, as Keyless
 * matches case-insensitively; `*` anywhere, across `/`, as an anchored regular expression, because casbin's
 * `keyMatch` treats a leading-star read pattern as an empty prefix and would grant everything), group membership as `g` (casbin follows
 * nested roles itself), inheritance as a scope prefix. It has no notActions,
 * deny assignments, conditions or explanations: it does strictly less work per decision than Keyless.
 */
async function casbinEnforcer(model: Model, roles: ReadonlyMap<string, RoleDefinition>) {
  const enforcer = await newEnforcer(newModelFromString(CASBIN_MODEL));
  const rules: string[][] = [];
  for (const a of model.assignments) {
    const role = roles.get(a.roleDefinitionId.toLowerCase())!;
    for (const block of role.permissions) {
      // Actions never grant data actions and vice versa: each kind matches only requests of its own kind.
      for (const pattern of block.actions) rules.push([a.principalId, a.scope.toLowerCase(), globRegex(`action:${pattern}`)]);
      for (const pattern of block.dataActions) rules.push([a.principalId, a.scope.toLowerCase(), globRegex(`data:${pattern}`)]);
    }
  }
  await enforcer.addPolicies(rules);
  await enforcer.addGroupingPolicies(model.memberships.map((m) => [m.memberId, m.groupId]));
  return { enforcer, rules: rules.length };
}

/**
 * How many of `samples` random data-action requests (random principals and scopes) both engines answer alike:
 * the check that casbin is given the same model. Data actions only, which none of the roles here subtract from.
 */
function agreeOn(
  model: Model,
  authorizer: ReturnType<typeof createAuthorizer>,
  enforcer: Awaited<ReturnType<typeof casbinEnforcer>>["enforcer"],
  samples: number,
): string {
  const next = random(42);
  const actions = [
    CHAT,
    "Microsoft.CognitiveServices/accounts/OpenAI/deployments/chat/completions/action",
    "Microsoft.CognitiveServices/accounts/MaaS/embeddings/action",
  ];
  let same = 0;
  for (let i = 0; i < samples; i++) {
    const picked = model.assignments[Math.floor(next() * model.assignments.length)]!;
    const principalId = next() < 0.2 ? "caller" : picked.principalId;
    const scope = `${picked.scope}/providers/Microsoft.Web/sites/s${i}`.replace(
      /^(\/subscriptions\/[^/]+)\/providers/,
      "$1/resourceGroups/rg-x/providers",
    );
    const action = actions[Math.floor(next() * actions.length)]!;
    const keyless =
      authorizer.evaluate({ principalId, groupIds: [], operation: { kind: "dataAction", name: action }, scope }).kind === "allowed";
    if (keyless === enforcer.enforceSync(principalId, scope.toLowerCase(), `data:${action}`.toLowerCase())) same++;
  }
  return `${same}/${samples}`;
}

const us = (ns: number) => (ns / 1000).toFixed(ns < 10_000 ? 2 : 1);

async function main(): Promise<void> {
  console.log(`# RBAC decision latency (${QUICK ? "quick" : "full"} run)`);
  console.log(`node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? "unknown cpu"})\n`);
  console.log(
    "| assignments | groups | Keyless uncached p50 / p99 (µs) | Keyless cached p50 / p99 (µs) | casbin p50 / p99 (µs) | casbin policy lines | same answers | casbin p50 ÷ Keyless uncached p50 |",
  );
  console.log("|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const size of SIZES) {
    for (const groups of GROUP_COUNTS) {
      const model = buildModel(size, groups);
      const policy = createPolicy({ customRoles: [MAAS_ROLE], roleAssignments: model.assignments, memberships: model.memberships });
      const authorizer = createAuthorizer(policy);
      // Uncached: every request names a different deployment, so each one misses the decision cache.
      const uncachedRequest = (i: number) => ({
        principalId: "caller",
        groupIds: [],
        operation: { kind: "dataAction" as const, name: CHAT },
        scope: `${model.target}/deployments/u${i}`,
      });
      const cachedRequest = uncachedRequest(-1);
      const calls = QUICK ? 20_000 : 100_000;
      if (authorizer.evaluate(uncachedRequest(-2)).kind !== "allowed") throw new Error("Keyless denies the benchmark request");
      const uncached = measure(calls, 5_000, (i) => authorizer.evaluate(uncachedRequest(i)));
      const cached = measure(calls, 5_000, () => authorizer.evaluate(cachedRequest));
      // casbin is built after Keyless is measured, so neither pays for the other's heap.
      const { enforcer, rules } = await casbinEnforcer(model, policy.roleDefinitions);
      if (enforcer.enforceSync("caller", `${model.target}/deployments/u-2`.toLowerCase(), `data:${CHAT}`.toLowerCase()) !== true)
        throw new Error("casbin denies the benchmark request");
      // casbin takes seconds per decision at 100k assignments, so fewer agreement samples there.
      const agreement = agreeOn(model, authorizer, enforcer, size >= 100_000 ? 20 : 200);
      const casbin = measureFor(QUICK ? 300 : 3_000, calls, (i) =>
        enforcer.enforceSync("caller", `${model.target}/deployments/c${i}`.toLowerCase(), `data:${CHAT}`.toLowerCase()),
      );
      console.log(
        `| ${size} | ${groups} | ${us(uncached.p50)} / ${us(uncached.p99)} | ${us(cached.p50)} / ${us(cached.p99)} | ${us(casbin.p50)} / ${us(casbin.p99)} (${casbin.calls} calls) | ${rules} | ${agreement} | ${Math.round(casbin.p50 / uncached.p50)}× |`,
      );
    }
  }
}

await main();
