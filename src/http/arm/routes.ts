import type { ArmRoute } from "./arm-route.ts";
import { authorizationRoutes } from "./authorization-routes.ts";
import { subscriptionRoutes } from "./subscription-routes.ts";

/** Every ARM resource type Keyless serves; the first route whose pattern matches a path owns it. */
export const armRoutes: readonly ArmRoute[] = [...subscriptionRoutes, ...authorizationRoutes];
