import { WireError } from "../../core/errors.ts";
import type { ModelBackend } from "../chat-types.ts";
import type { CatalogModel, ModelRegistry } from "./registry.ts";

type BackendOperation = "complete" | "stream" | "embed";

/** What a backend call reports: its duration (to the last chunk for streams) and, on failure, the error code. */
interface BackendObserver {
  call(model: CatalogModel, operation: BackendOperation, seconds: number, errorCode: string | undefined): void;
  firstChunk(model: CatalogModel, seconds: number): void;
}

/**
 * The registry with each model's backend wrapped so every call reports to `observer` (metrics are a
 * decorator, not logic in the adapters). Wrapped once per model, so the hot path allocates nothing more per call.
 */
export function observeModels(registry: ModelRegistry, observer: BackendObserver): ModelRegistry {
  const wrapped = new Map<CatalogModel, CatalogModel>(
    registry.listModels().map((m) => [m, { ...m, backend: observeBackend(m, observer) }]),
  );
  const models = [...wrapped.values()];
  return {
    listModels: () => models,
    findModel(format, name, version) {
      const found = registry.findModel(format, name, version);
      return found && wrapped.get(found);
    },
    close: () => registry.close(),
  };
}

function observeBackend(model: CatalogModel, observer: BackendObserver): ModelBackend {
  const { backend } = model;
  const codeOf = (err: unknown) => (err instanceof WireError ? err.code : "InternalError");
  async function timed<T>(operation: BackendOperation, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const result = await work();
      observer.call(model, operation, (performance.now() - started) / 1000, undefined);
      return result;
    } catch (err) {
      observer.call(model, operation, (performance.now() - started) / 1000, codeOf(err));
      throw err;
    }
  }
  async function* stream(chunks: AsyncIterable<string>): AsyncIterable<string> {
    const started = performance.now();
    let first = true;
    try {
      for await (const chunk of chunks) {
        if (first) observer.firstChunk(model, (performance.now() - started) / 1000);
        first = false;
        yield chunk;
      }
      observer.call(model, "stream", (performance.now() - started) / 1000, undefined);
    } catch (err) {
      observer.call(model, "stream", (performance.now() - started) / 1000, codeOf(err));
      throw err;
    }
  }
  return {
    kind: backend.kind,
    ...(backend.complete && { complete: (request, name, signal) => timed("complete", () => backend.complete!(request, name, signal)) }),
    ...(backend.embed && { embed: (request, name, signal) => timed("embed", () => backend.embed!(request, name, signal)) }),
    ...(backend.stream && { stream: (request, name, signal) => stream(backend.stream!(request, name, signal)) }),
  };
}
