/** Splits a server-sent-events byte stream into the JSON of each `data:` event; stops at `[DONE]`. */
export async function* sseEvents(stream: AsyncIterable<Buffer>): AsyncGenerator<unknown> {
  let buffer = "";
  for await (const chunk of stream) {
    buffer += chunk.toString("utf8").replace(/\r\n/g, "\n");
    let boundary = buffer.indexOf("\n\n");
    while (boundary !== -1) {
      const event = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      const data = event
        .split("\n")
        .filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(5).trimStart())
        .join("\n");
      if (data === "[DONE]") return;
      if (data !== "") yield JSON.parse(data);
      boundary = buffer.indexOf("\n\n");
    }
  }
}
