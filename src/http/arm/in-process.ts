import type { ArmCaller } from "../../arm/arm-caller.ts";
import type { ArmPort } from "../../arm/template-deployments/arm-port.ts";
import { WireError } from "../../core/errors.ts";
import type { Services } from "../services.ts";
import { WRITES, normalizedPath, recordArmWrite, runArmRoute } from "./dispatch.ts";

/**
 * ARM as one caller, in process: the call runs through the same route table and handlers as an HTTP request
 * (validation, `requireAction` authorization as that caller, storage), without a token or a socket. Writes go to
 * the activity log under the deployment's correlation id, as Azure logs a template's writes.
 *
 * Why not `app.inject()` with the caller's token: a deployment runs in the background after its PUT has been
 * answered, and may outlive the token it came with; the caller is already authenticated, so re-validating a
 * token adds nothing but a way to fail. Calling `runArmRoute` gives the same handler path with the caller fixed.
 */
export function armInProcess(services: Services, caller: ArmCaller, origin: string, correlationId: string): ArmPort {
  return async (request) => {
    const path = normalizedPath(request.path);
    const url = `${request.path}?api-version=${encodeURIComponent(request.apiVersion)}`;
    let status = 500;
    let audited = false;
    try {
      // As over HTTP: a node that cannot confirm its authorization policy refuses (503) rather than guess.
      services.policyCurrent();
      const result = await runArmRoute(services, {
        method: request.method,
        path,
        url,
        query: { "api-version": request.apiVersion },
        body: request.body,
        origin,
        caller: async () => caller,
        correlationId,
        activityRecorded: () => {
          audited = true;
        },
      });
      status = result.status ?? 200;
      return { status, body: result.body };
    } catch (err) {
      status = err instanceof WireError ? err.status : 500;
      throw err;
    } finally {
      if (WRITES.has(request.method)) {
        // As after an HTTP write: this node's cached reads are dropped and other nodes are told.
        if (status < 400) await services.resourcesChanged(path).catch(() => {});
        if (!audited)
          await recordArmWrite(services, { method: request.method, path, caller, statusCode: status, correlationId }).catch(() => {});
      }
    }
  };
}
