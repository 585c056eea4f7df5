import { dataPlaneError } from "../../data-plane-errors.ts";

/**
 * Reads an upstream SSE body and yields each event's `data` text unchanged, stopping at `[DONE]`. Pulling one
 * event at a time is the backpressure: nothing more is read from the upstream socket until the caller asks.
 * A body that ends without `[DONE]` is a failure mid-stream.
 */
export async function* sseData(body: AsyncIterable<Buffer>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const bytes of body) {
    buffered += decoder.decode(bytes, { stream: true });
    let boundary = nextBoundary(buffered);
    while (boundary) {
      const block = buffered.slice(0, boundary.index);
      buffered = buffered.slice(boundary.index + boundary.length);
      const data = dataOf(block);
      if (data === "[DONE]") return;
      if (data !== undefined) yield data;
      boundary = nextBoundary(buffered);
    }
  }
  throw dataPlaneError("BackendUnavailable");
}

function nextBoundary(text: string): { index: number; length: number } | undefined {
  const match = /\r?\n\r?\n/.exec(text);
  return match ? { index: match.index, length: match[0].length } : undefined;
}

function dataOf(block: string): string | undefined {
  const lines = block
    .split(/\r?\n/)
    .filter((line) => line.startsWith("data:"))
    .map((line) => line.slice(line.startsWith("data: ") ? 6 : 5));
  return lines.length > 0 ? lines.join("\n") : undefined;
}
