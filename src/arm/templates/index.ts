/**
 * The ARM template language engine: the only import path the deployment executor uses. Pure: it reads no
 * storage and makes no requests; deployed state comes in through `TemplateHost`. See docs/templates.md.
 */
export { TemplateError } from "./errors.ts";
export { FUNCTION_NAMES } from "./functions.ts";
export { redactSecrets, secureValues } from "./outputs.ts";
export { armGuid, uniqueString } from "./hashes.ts";
export { planTemplate } from "./template-plan.ts";
export type { DeploymentContext, PlannedResource, TemplateHost, TemplatePlan } from "./types.ts";
export { diffResource } from "./what-if.ts";
