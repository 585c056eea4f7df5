import { performance } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * Gives back to the system what a burst of allocation (a full policy reload) left behind: one compacting collection
 * of the whole heap that also shrinks V8's young generation to its smallest size. V8 does this by itself only on an
 * idle process some seconds after a full collection, so a node that loaded a large policy and then serves would keep
 * the garbage of the load and a young generation grown to its maximum (docs/operations.md, "Memory per node").
 * Synchronous: the pause (returned, in ms) is about 0.3 s with 100,000 assignments; for a node's full reloads only,
 * which are rare (start, bulk changes, a node far behind).
 */
export function shrinkHeap(): number {
  // A context created while the flag is on has V8's `gc` function (the server's own context has none); the flag goes
  // off again so no other context gets it.
  setFlagsFromString("--expose-gc");
  const started = performance.now();
  try {
    runInNewContext('gc({ type: "major", execution: "sync", flavor: "last-resort" })');
  } finally {
    setFlagsFromString("--no-expose-gc");
  }
  return performance.now() - started;
}
