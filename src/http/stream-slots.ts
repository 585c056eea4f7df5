import { withHeaders } from "../core/errors.ts";
import { dataPlaneError } from "../inference/data-plane-errors.ts";

/**
 * Open streams per caller on this node. A stream holds a backend connection for as long as it lasts, so one
 * caller opening hundreds would starve everyone else of that backend: beyond `maxPerCaller` a new stream is 429
 * TooManyConcurrentStreams until one of the caller's streams ends.
 */
export interface StreamSlots {
  /** Takes a slot for `caller` or throws the 429; the returned function gives it back (once). */
  take(caller: string): () => void;
  open(caller: string): number;
}

export function createStreamSlots(maxPerCaller: number): StreamSlots {
  const open = new Map<string, number>();
  return {
    take(caller) {
      const count = open.get(caller) ?? 0;
      if (count >= maxPerCaller) {
        throw withHeaders(dataPlaneError("TooManyConcurrentStreams", maxPerCaller), { "retry-after": "1", "retry-after-ms": "1000" });
      }
      open.set(caller, count + 1);
      let given = false;
      return () => {
        if (given) return;
        given = true;
        const left = (open.get(caller) ?? 1) - 1;
        if (left === 0) open.delete(caller);
        else open.set(caller, left);
      };
    },
    open: (caller) => open.get(caller) ?? 0,
  };
}
