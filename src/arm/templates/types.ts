/** The engine's public types: what the deployment executor gives it and what it hands back. */

/** What template functions see about where the deployment runs. */
export interface DeploymentContext {
  tenantId: string;
  subscriptionId: string;
  subscriptionDisplayName?: string;
  /** Absent at subscription scope. */
  resourceGroup?: { name: string; id: string; location: string; tags?: Record<string, string>; managedBy?: string };
  deploymentName: string;
  scope: "resourceGroup" | "subscription";
  /** The deployment's own location (subscription-scope deployments have one); `deployment().location`. */
  location?: string;
  /** Incremental (default) or Complete; `deployment().properties.mode`. */
  mode?: "Incremental" | "Complete";
  /** `environment()`; a minimal object naming this cloud when absent. */
  environment?: Record<string, unknown>;
  /** The clock `utcNow()` reads (tests pin it); the system clock when absent. */
  now?: () => Date;
}

/** State the executor provides; asynchronous because it reads storage. */
export interface TemplateHost {
  /** full=true → the whole resource (id, name, type, location, properties, …); else its `properties`. */
  reference(resourceId: string, apiVersion: string | undefined, full: boolean): Promise<unknown>;
  listKeys(resourceId: string, apiVersion: string): Promise<unknown>;
}

/** A `Microsoft.Resources/deployments` resource inside a template: the executor runs it as a deployment of its own. */
export interface NestedDeployment {
  /** The nested deployment's name (the resource's name). */
  name: string;
  /** The resource group it deploys into (the parent's when the resource sets none); undefined at subscription scope. */
  resourceGroup: string | undefined;
  /** The subscription it deploys into. */
  subscriptionId: string;
  /** `expressionEvaluationOptions.scope`: `inner` (own parameters) or `outer` (the parent's parameters and variables, ARM's default). */
  expressionScope: "inner" | "outer";
  mode: "Incremental" | "Complete";
  /**
   * Plans the nested template. `context` describes where it runs (the executor resolves the resource group);
   * `host` evaluates the deployment's `properties.parameters` (which may call `reference()`).
   */
  plan(context: DeploymentContext, host: TemplateHost): Promise<TemplatePlan>;
}

export interface PlannedResource {
  /** The `languageVersion` 2.0 symbolic name, or undefined. */
  symbolicName?: string;
  /** Full type, e.g. `Microsoft.CognitiveServices/accounts/deployments`. */
  type: string;
  apiVersion: string;
  /** Full ARM name (`acct/dep` for child types), evaluated. */
  name: string;
  /** Full id at the deployment's scope (or under `scope` for extension resources). */
  resourceId: string;
  /** The extension resource's scope id, if any. */
  scope?: string;
  /** Resource ids this one must wait for (explicit, copy batches, and implicit from `reference()`/`listKeys()`). */
  dependsOn: string[];
  copy?: { name: string; index: number };
  /** Where the resource is declared (`resources[2]` or `resources.acct`), for error targets. */
  path: string;
  /** Set for `Microsoft.Resources/deployments` resources. */
  nestedDeployment?: NestedDeployment;
  /**
   * Evaluates the resource body (location, properties, sku, kind, tags, identity, …: everything but the template's
   * own keys, type, apiVersion, name, dependsOn, copy, condition, scope, resourceGroup, subscriptionId, comments,
   * resources, existing, import) after its dependencies are deployed: the request body the provider receives. For a
   * nested deployment `properties.template` is returned unevaluated.
   */
  body(host: TemplateHost): Promise<Record<string, unknown>>;
}

interface PlannedParameter {
  /** As declared: `string`, `securestring`, `int`, `bool`, `object`, `secureObject`, `array`. */
  type: string;
  value: unknown;
  /** `securestring`/`secureObject`: never echo, log or return the value. */
  secure: boolean;
}

export interface PlannedOutput {
  type: string;
  /** Absent for secure outputs, which are never returned. */
  value?: unknown;
}

export interface TemplatePlan {
  /** Topologically ordered; conditions evaluated (false → omitted); `existing` resources omitted. */
  resources: PlannedResource[];
  parameters: Record<string, PlannedParameter>;
  outputs(host: TemplateHost): Promise<Record<string, PlannedOutput>>;
  /** `contentVersion`, `languageVersion`, `metadata` and a hash of the template, for `deployment()` and the record. */
  template: { contentVersion: string; languageVersion?: string; metadata?: Record<string, unknown>; templateHash: string };
}

/** Bounds a template can push against (ARM's where ARM has one). */
export interface TemplateLimits {
  /** Bytes of template JSON (ARM: 4 MiB). */
  maxTemplateBytes: number;
  maxParameters: number;
  maxVariables: number;
  /** Resources after copy loops are expanded (ARM: 800). */
  maxResources: number;
  maxOutputs: number;
  /** Iterations of one copy loop (ARM: 800). */
  maxCopyCount: number;
  /** Characters in one expression (ARM: 24,576). */
  maxExpressionLength: number;
  /** Nesting of calls, properties and indexes in one expression. */
  maxExpressionDepth: number;
  /** Nesting of the template JSON itself. */
  maxJsonDepth: number;
  /** Elements a function may build (`range`, `padLeft`, …). */
  maxArrayLength: number;
  maxStringLength: number;
  /** Nested deployments inside nested deployments. */
  maxNestingDepth: number;
  /** Evaluation steps of all of a deployment's expressions (nested templates included): expression nodes, comparisons. */
  maxEvaluationSteps: number;
  /** Characters of any one value when written out in full (ARM: 4 MB of template after expansion). */
  maxValueSize: number;
}

export const DEFAULT_TEMPLATE_LIMITS: Readonly<TemplateLimits> = Object.freeze({
  maxTemplateBytes: 4 * 1024 * 1024,
  maxParameters: 256,
  maxVariables: 256,
  maxResources: 800,
  maxOutputs: 64,
  maxCopyCount: 800,
  maxExpressionLength: 24_576,
  maxExpressionDepth: 64,
  maxJsonDepth: 128,
  maxArrayLength: 10_000,
  maxStringLength: 1024 * 1024,
  maxNestingDepth: 16,
  maxEvaluationSteps: 250_000,
  maxValueSize: 4 * 1024 * 1024,
});

export interface PlanOptions {
  limits?: Partial<TemplateLimits>;
}
