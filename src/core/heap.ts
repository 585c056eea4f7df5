import { performance } from "node:perf_hooks";
import { getHeapStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * A heap this small has little to give back: a node on an empty store holds about 65 MB after its start (the young
 * generation grown to its cap included) and would gain about 25 MB of RSS for a pause of 0.1–0.25 s added to its
 * start; at 100,000 assignments the heap is about 145 MB after the load and the collection gives back 80 MB.
 */
const WORTH_SHRINKING_MB = 96;

/**
 * Gives back to the system what a burst of allocation (a full policy reload) left behind: one compacting collection
 * of the whole heap that also shrinks V8's young generation to its smallest size. V8 does this by itself only on an
 * idle process some seconds after a full collection, so a node that loaded a large policy and then serves would keep
 * the garbage of the load and a young generation grown to its cap (docs/operations.md, "Memory per node").
 * Synchronous: the pause is about 0.2–0.35 s with 100,000 assignments; for a node's full reloads only, which are
 * rare (start, bulk changes, a node far behind). Returns the pause in ms, or undefined when the heap was smaller
 * than `minimumMb` (V8's committed heap) and nothing was done.
 */
export function shrinkHeap(minimumMb = WORTH_SHRINKING_MB): number | undefined {
  if (getHeapStatistics().total_heap_size < minimumMb * 2 ** 20) return undefined;
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

/** The least time between two of a serving node's collections after a full reload. */
const SHRINK_INTERVAL_MS = 60_000;

/**
 * shrinkHeap for a serving node's full reloads, at most once per `intervalMs`. A full reload holds the event loop
 * for tens of ms and the collection for about ten times as long, and whoever may delete a scope with a role
 * assignment under it (an Owner of one resource group) makes every node reload fully: unbounded, a loop of such
 * deletions kept every node paused most of the time. A reload within the interval after a collection gets one
 * collection when the interval ends, so the last reload's garbage is given back too.
 */
export function heapShrinkAfterReloads(intervalMs = SHRINK_INTERVAL_MS, shrink: () => unknown = shrinkHeap): () => void {
  let last = Number.NEGATIVE_INFINITY;
  let pending: ReturnType<typeof setTimeout> | undefined;
  const run = () => {
    pending = undefined;
    last = Date.now();
    shrink();
  };
  return () => {
    const wait = last + intervalMs - Date.now();
    if (wait <= 0) run();
    else pending ??= setTimeout(run, wait).unref();
  };
}
