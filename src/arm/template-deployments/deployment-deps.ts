import type { DeploymentStore } from "../../storage/deployment-store.ts";
import type { ArmCaller } from "../arm-caller.ts";
import type { ArmDeps } from "../arm-deps.ts";
import type { ArmPort } from "./arm-port.ts";
import type { DeploymentContext, TemplatePlan } from "./plan.ts";
import { type DiffResource } from "./what-if.ts";

export const WRITE = "Microsoft.Resources/deployments/write";
export const READ = "Microsoft.Resources/deployments/read";
export const DELETE = "Microsoft.Resources/deployments/delete";
export const CANCEL = "Microsoft.Resources/deployments/cancel/action";
export const VALIDATE = "Microsoft.Resources/deployments/validate/action";
export const OPERATIONS_READ = "Microsoft.Resources/deployments/operations/read";
export const WHAT_IF = "Microsoft.Resources/deployments/whatIf/action";
/** How long a what-if result stays readable at its `Location`. */
export const RESULT_RETENTION_MS = 3600_000;

export type PlanTemplate = (template: unknown, parameters: Record<string, unknown>, context: DeploymentContext) => Promise<TemplatePlan>;

/** What template deployments need beyond the ARM providers: their store, the engine, ARM as a caller, limits. */
export interface TemplateDeploymentDeps {
  arm: ArmDeps;
  store: DeploymentStore;
  planTemplate: PlanTemplate;
  /** ARM in process as `caller` (the HTTP route table, injected); writes are logged under `correlationId`. */
  armAs(caller: ArmCaller, correlationId: string): ArmPort;
  /** Deployments a subscription may have accepted or running at once. */
  concurrency: number;
  /** Deployments one scope (a resource group, a subscription's own) keeps; the oldest finished ones make room. */
  historyLimit: number;
  /** Resources one deployment writes at once. */
  parallelism: number;
  /** Reports a failure nobody awaits (a background run); never given a parameter value. */
  logFailure(message: string, err: unknown): void;
  /** Keeps a background run, so closing the server waits for it. */
  track(run: Promise<void>): void;
  /** The engine's property-level comparison of a resource as it is and as the template would leave it. */
  diffResource: DiffResource;
}
