import type { AccessDeps } from "../arm/access-queries.ts";
import type { ArmCaller } from "../arm/arm-caller.ts";
import type { ArmDeps } from "../arm/arm-deps.ts";
import type { ArmPort } from "../arm/template-deployments/arm-port.ts";
import type { PlanTemplate } from "../arm/template-deployments/deployment-service.ts";
import type { DiffResource } from "../arm/template-deployments/what-if.ts";
import type { DeploymentStore } from "../storage/deployment-store.ts";
import type { ActivityLog } from "../audit/activity-log.ts";
import type { RoleAssignmentDeps } from "../arm/role-assignments.ts";
import type { RoleDefinitionDeps } from "../arm/role-definitions.ts";
import type { SubscriptionDeps } from "../arm/subscriptions.ts";
import type { AppCredentials } from "../directory/app-credentials.ts";
import type { Directory } from "../directory/directory.ts";
import type { ManagedIdentities } from "../directory/managed-identities.ts";
import type { DataPlaneDeps } from "../inference/data-plane.ts";
import type { KeyRing } from "../tokens/signing-keys.ts";
import type { TokenServiceDeps } from "../tokens/token-request.ts";
import type { TokenValidator } from "../tokens/validator.ts";
import type { Drain } from "./drain.ts";
import type { HttpLimits } from "./limits.ts";
import type { Metrics } from "../telemetry/metrics.ts";
import type { CallTrace } from "../telemetry/call-trace.ts";

/** Everything the HTTP surfaces use, assembled by the composition root (`main.ts`). */
export interface Services {
  tokenService: TokenServiceDeps;
  keys: KeyRing;
  validator: TokenValidator;
  directory: Directory;
  /** Managed identities (create/delete for ARM userAssignedIdentities, workload settings for the CLI). */
  managedIdentities: ManagedIdentities;
  /** Application certificates and federated identity credentials (for Graph and the CLI). */
  appCredentials: AppCredentials;
  defaultTenantId: string;
  dataPlane: DataPlaneDeps;
  roleAssignments: RoleAssignmentDeps;
  roleDefinitions: RoleDefinitionDeps;
  access: AccessDeps;
  subscriptions: SubscriptionDeps;
  /** ARM resource providers: resource groups, Cognitive Services, generic resources. */
  arm: ArmDeps;
  activityLog: ActivityLog;
  /** Template deployments (`Microsoft.Resources/deployments`): their store, the template engine, limits. */
  templateDeployments: TemplateDeploymentServices;
  /** Resolves the ARM caller's display for error messages. */
  armCaller(principalId: string, tenantId: string, upn: string | undefined): ArmCaller;
  /** Makes a directory write (group membership, deletion) effective in authorization on this node at once. */
  directoryChanged(): Promise<void>;
  /**
   * After a successful ARM write at `path`: drops the data plane's short-lived account and deployment reads on this
   * node, and tells every other node through the change feed (accounts, keys and `disableLocalAuth` decide access).
   */
  resourcesChanged(path: string): Promise<void>;
  /** Why this node is not ready (storage does not answer, no signing key, policy not current), or undefined. */
  notReadyReason(): Promise<string | undefined>;
  /** Throws `UnavailableError` when the node cannot confirm its access policy is current (fail closed). */
  policyCurrent(): void;
  /** The node's graceful shutdown: not ready while it drains; open streams are cut when its grace is over. */
  drain: Drain;
  /** Request bounds (header and body sizes, JSON depth, `$filter`), from the configuration. */
  limits: HttpLimits;
  /** Starts a data-plane call's trace, when the operator turned tracing on (`otlpEndpoint`). */
  traceCall?: ((name: string, traceparent: string | undefined) => CallTrace) | undefined;
  /** Prometheus instruments, when the operator turned metrics on (`metricsPort`). */
  metrics: Metrics | undefined;
}

interface TemplateDeploymentServices {
  store: DeploymentStore;
  planTemplate: PlanTemplate;
  diffResource: DiffResource;
  /** ARM in process as one caller (the route table), for the executor and what-if. */
  armAs(caller: ArmCaller, origin: string, correlationId: string): ArmPort;
  /** Deployments a subscription may have accepted or running at once (`templateDeploymentConcurrency`). */
  concurrency: number;
  /** Deployments one scope keeps in its history (`templateDeploymentHistoryLimit`). */
  historyLimit: number;
  /** Resources one deployment writes at once. */
  parallelism: number;
  logFailure(message: string, err: unknown): void;
  /** Keeps a background run so that closing the server waits for it. */
  track(run: Promise<void>): void;
}
