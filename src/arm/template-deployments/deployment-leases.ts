import { type Clock, nowIso } from "../../core/clock.ts";
import type { DeploymentStore } from "../../storage/deployment-store.ts";
import { deploymentFailedBody } from "./executor.ts";

/**
 * A run proves it is alive by touching its deployment's `updatedAt` every `HEARTBEAT_MS`. A deployment still
 * Accepted or Running that nobody touched for `ABANDONED_AFTER_MS` lost its run (its node was killed or restarted
 * mid-run): any node's sweep marks it Failed, so a new PUT of the same name is not refused with DeploymentActive
 * forever and the subscription's concurrency limit frees its place. Storage writes and compares the touch by the
 * database's clock, so nodes whose clocks disagree never fail each other's live runs.
 */
const HEARTBEAT_MS = 15_000;
export const ABANDONED_AFTER_MS = 4 * HEARTBEAT_MS;

/** Touches a run's deployment every `HEARTBEAT_MS` until the returned function is called. */
export function keepRunAlive(store: DeploymentStore, id: string, runId: string, onError: (err: unknown) => void) {
  const timer = setInterval(() => {
    store.updateRun(id, runId, {}).catch(onError);
  }, HEARTBEAT_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/** Fails the deployments whose run stopped without finishing; how many it failed. */
export async function failAbandonedRuns(store: DeploymentStore, clock: Clock): Promise<number> {
  const interrupted = {
    code: "DeploymentInterrupted",
    message: `The run of this deployment stopped before it finished: no Keyless node has worked on it for ${ABANDONED_AFTER_MS / 1000} s (its node stopped or restarted). Resources written before that stay; deploy the template again to finish.`,
  };
  return store.failStale(ABANDONED_AFTER_MS / 1000, nowIso(clock), deploymentFailedBody([interrupted]));
}

/** Sweeps for abandoned runs at once and every `HEARTBEAT_MS`; returns the function that stops it. */
export function sweepAbandonedRuns(
  store: DeploymentStore,
  clock: Clock,
  onSwept: (failed: number) => void,
  onError: (err: unknown) => void,
) {
  const sweep = () =>
    void failAbandonedRuns(store, clock)
      .then((failed) => failed > 0 && onSwept(failed))
      .catch(onError);
  sweep();
  const timer = setInterval(sweep, HEARTBEAT_MS);
  timer.unref();
  return () => clearInterval(timer);
}
