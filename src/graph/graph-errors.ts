import { catalogErrors } from "../core/errors.ts";

/** Microsoft Graph's error catalog (`{"error":{"code","message"}}`). */
const catalog = {
  InvalidAuthenticationToken: { status: 401, template: (detail: string) => `Access token validation failure. ${detail}` },
  Authorization_RequestDenied: { status: 403, template: () => "Insufficient privileges to complete the operation." },
  Request_ResourceNotFound: {
    status: 404,
    template: (id: string) => `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  },
  Request_BadRequest: { status: 400, template: (detail: string) => detail },
  Request_UnsupportedQuery: { status: 400, template: (detail: string) => detail },
  Request_EntityTooLarge: {
    status: 413,
    template: (limit: number) => `The request body is larger than ${limit} bytes, the limit for Microsoft Graph requests.`,
  },
  BadRequest: { status: 400, template: (detail: string) => detail },
  Request_MultipleObjectsWithSameKeyValue: { status: 400, template: (detail: string) => detail },
  UnknownError: { status: 500, template: (requestId: string) => `An internal error occurred. Request id: ${requestId}.` },
} as const;

type GraphErrorName = keyof typeof catalog;
export const graphCatalog: Readonly<Record<GraphErrorName, { status: number }>> = catalog;

export const graphError = catalogErrors(catalog);
