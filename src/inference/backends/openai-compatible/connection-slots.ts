import { withHeaders } from "../../../core/errors.ts";
import { dataPlaneError } from "../../data-plane-errors.ts";

/**
 * The backend's `maxConnections`, as slots a call holds from its request until its response body closes. A call
 * that finds every slot taken waits at most `waitMs` (in arrival order), then is 503 BackendBusy with Retry-After:
 * callers are told to come back instead of queueing without bound behind streams that may last minutes.
 */
export function connectionSlots(size: number) {
  let busy = 0;
  const waiting: Array<() => void> = [];

  function releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      busy--;
      waiting.shift()?.();
    };
  }

  function acquire(waitMs: number, signal: AbortSignal): Promise<() => void> {
    if (busy < size) {
      busy++;
      return Promise.resolve(releaser());
    }
    return new Promise((resolve, reject) => {
      const leave = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        const at = waiting.indexOf(grant);
        if (at >= 0) waiting.splice(at, 1);
      };
      const grant = () => {
        leave();
        busy++;
        resolve(releaser());
      };
      const onAbort = () => {
        leave();
        reject(signal.reason);
      };
      const timer = setTimeout(() => {
        leave();
        reject(withHeaders(dataPlaneError("BackendBusy", size), { "retry-after": "1", "retry-after-ms": "1000" }));
      }, waitMs);
      signal.addEventListener("abort", onAbort, { once: true });
      waiting.push(grant);
    });
  }

  return { acquire, busy: () => busy };
}
