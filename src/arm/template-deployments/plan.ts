/** The template engine's plan, as the executor consumes it (the engine is `src/arm/templates/`). */
export type { DeploymentContext, PlannedResource, TemplateHost, TemplatePlan } from "../templates/index.ts";
