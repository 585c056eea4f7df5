import assert from "node:assert/strict";
import { describe, test } from "node:test";
import pino from "pino";
import { consoleLogFormat, prettyLogDestination } from "../../src/http/console-log.ts";

/** A real pino logger, redacting as the server's does, writing through the human formatter. */
function logger(color = false) {
  const lines: string[] = [];
  const destination = prettyLogDestination((text) => lines.push(text), { color });
  const log = pino({ level: "info", redact: { paths: ["req.headers.authorization"], censor: "[redacted]" } }, destination);
  return { log, lines };
}

const TIME = String.raw`\d\d:\d\d:\d\d\.\d{3}`;

describe("the human console log", () => {
  test("a request is one line when it completes: method, URL, status and time", () => {
    const { log, lines } = logger();
    const request = log.child({ reqId: "r-1" });
    request.info(
      { req: { method: "POST", url: "/adfs/oauth2/token", headers: { authorization: "Bearer secret-token" } } },
      "incoming request",
    );
    assert.deepEqual(lines, [], "nothing until the request completes");
    request.info({ res: { statusCode: 200 }, responseTime: 12.4 }, "request completed");
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, new RegExp(`^${TIME} INFO  POST /adfs/oauth2/token → 200 \\(12 ms\\)\\n$`));
    assert.ok(!lines.join("").includes("secret-token"));
  });

  test("other fields follow the message as key=value; a warning names its request; secrets stay redacted", () => {
    const { log, lines } = logger();
    log.child({ reqId: "r-2" }).warn({ tokenRejection: { reason: "expired" }, note: "two words" }, "access token rejected");
    assert.match(
      lines[0]!,
      new RegExp(`^${TIME} WARN  access token rejected tokenRejection=\\{"reason":"expired"\\} note="two words" reqId=r-2\\n$`),
    );
    log.info({ req: { headers: { authorization: "Bearer secret-token" } } }, "with a header");
    assert.ok(!lines.join("").includes("secret-token"), lines.join(""));
  });

  test("an error shows its type and message, and its stack at error level", () => {
    const { log, lines } = logger();
    log.warn({ err: new TypeError("bad thing") }, "policy refresh failed");
    assert.match(lines[0]!, new RegExp(`^${TIME} WARN  policy refresh failed err="TypeError: bad thing"\\n$`));
    log.error({ err: new Error("worse") }, "failed");
    assert.match(lines[1]!, /^.* ERROR failed err="Error: worse"\n {4}Error: worse\n {8}at /);
  });

  test("colour only when asked; a line that is not a record passes through", () => {
    const plain = logger();
    plain.log.info("hello");
    assert.ok(!plain.lines[0]!.includes("\u001b["));
    const coloured = logger(true);
    coloured.log.info("hello");
    assert.ok(coloured.lines[0]!.includes("\u001b[32mINFO \u001b[0m hello"), coloured.lines[0]);
    const lines: string[] = [];
    prettyLogDestination((text) => lines.push(text)).write("not json");
    assert.deepEqual(lines, ["not json\n"]);
  });

  test("logFormat auto is pretty on a terminal and JSON otherwise; pretty and json are kept", () => {
    assert.equal(consoleLogFormat("auto", true), "pretty");
    assert.equal(consoleLogFormat("auto", false), "json");
    assert.equal(consoleLogFormat("json", true), "json");
    assert.equal(consoleLogFormat("pretty", false), "pretty");
  });
});
