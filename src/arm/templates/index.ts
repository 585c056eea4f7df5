/**
 * The ARM template language engine: the only import path the deployment executor uses. Pure: it reads no
 * storage and makes no requests; deployed state comes in through `TemplateHost`. See docs/templates.md.
 */
export { TemplateError, type TemplateErrorCode } from "./errors.ts";
export { FUNCTION_NAMES } from "./functions.ts";
export { armGuid, uniqueString } from "./hashes.ts";
export { planTemplate } from "./template-plan.ts";
export type {
  DeploymentContext,
  NestedDeployment,
  PlannedOutput,
  PlannedParameter,
  PlannedResource,
  PlanOptions,
  TemplateHost,
  TemplateLimits,
  TemplatePlan,
} from "./types.ts";
export { DEFAULT_TEMPLATE_LIMITS } from "./types.ts";
export { diffResource, type WhatIfChange, type WhatIfPropertyChange } from "./what-if.ts";
