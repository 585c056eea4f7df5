import type { ArmRoute } from "./arm-route.ts";
import { authorizationRoutes } from "./authorization-routes.ts";
import { cognitiveServicesRoutes } from "./cognitive-services-routes.ts";
import { deploymentRoutes } from "./deployment-routes.ts";
import { insightsRoutes } from "./insights-routes.ts";
import { managedIdentityRoutes } from "./managed-identity-routes.ts";
import { monitoringRoutes } from "./monitoring-routes.ts";
import { raiRoutes } from "./rai-routes.ts";
import { genericResourceRoute, resourceRoutes } from "./resource-routes.ts";
import { subscriptionRoutes } from "./subscription-routes.ts";

/** Every ARM resource type Keyless serves; the first route whose pattern matches a path owns it. */
export const armRoutes: readonly ArmRoute[] = [
  ...subscriptionRoutes,
  ...deploymentRoutes,
  ...resourceRoutes,
  ...monitoringRoutes,
  ...raiRoutes,
  ...cognitiveServicesRoutes,
  ...insightsRoutes,
  ...managedIdentityRoutes,
  ...authorizationRoutes,
  genericResourceRoute,
];
