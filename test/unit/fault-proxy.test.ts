import assert from "node:assert/strict";
import { once } from "node:events";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import { type FaultProxy, startFaultProxy } from "../harness/fault-proxy.ts";

/** An echo server: the target behind the proxy. */
async function echoServer(): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => {
    socket.on("error", () => undefined);
    socket.pipe(socket);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { server, port: (server.address() as { port: number }).port };
}

async function connect(port: number): Promise<Socket> {
  const socket = createConnection({ host: "127.0.0.1", port });
  await once(socket, "connect");
  return socket;
}

/** The next `length` bytes the socket receives, or null when none arrive within `withinMs`. */
function receive(socket: Socket, length: number, withinMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    let got = "";
    const timer = setTimeout(() => {
      socket.off("data", onData);
      resolve(null);
    }, withinMs);
    const onData = (chunk: Buffer) => {
      got += chunk;
      if (got.length >= length) {
        clearTimeout(timer);
        socket.off("data", onData);
        resolve(got);
      }
    };
    socket.on("data", onData);
  });
}

describe("fault proxy", () => {
  let echo: { server: Server; port: number };
  let proxy: FaultProxy;
  before(async () => {
    echo = await echoServer();
    proxy = await startFaultProxy({ target: { host: "127.0.0.1", port: echo.port } });
  });
  after(async () => {
    await proxy.close();
    echo.server.close();
  });

  test("forwards both directions", async () => {
    const socket = await connect(proxy.port);
    socket.write("hello");
    assert.equal(await receive(socket, 5, 2000), "hello");
    assert.equal(proxy.liveConnections, 1);
    socket.destroy();
  });

  test("delay holds bytes in each direction, in order; delay(0) turns it off", async () => {
    const socket = await connect(proxy.port);
    proxy.delay(300);
    const started = Date.now();
    socket.write("ab");
    socket.write("cd");
    assert.equal(await receive(socket, 4, 5000), "abcd");
    // 300 ms on the way there, 300 ms on the way back.
    assert.ok(Date.now() - started >= 550, `echoed after ${Date.now() - started} ms`);
    proxy.delay(0);
    const again = Date.now();
    socket.write("ef");
    assert.equal(await receive(socket, 2, 2000), "ef");
    assert.ok(Date.now() - again < 250, `echoed after ${Date.now() - again} ms without delay`);
    socket.destroy();
  });

  test("cut closes live connections and black-holes new ones; restore forwards again", async () => {
    const live = await connect(proxy.port);
    live.on("error", () => undefined);
    live.write("x");
    assert.equal(await receive(live, 1, 2000), "x");
    const closed = once(live, "close");
    proxy.cut();
    await closed;
    assert.equal(proxy.liveConnections, 0);

    const blackholed = await connect(proxy.port);
    blackholed.on("error", () => undefined);
    blackholed.write("anyone?");
    assert.equal(await receive(blackholed, 1, 400), null);
    assert.equal(proxy.liveConnections, 0);

    const heldClosed = once(blackholed, "close");
    proxy.restore();
    await heldClosed; // what was held during the cut is dropped, not forwarded late
    const fresh = await connect(proxy.port);
    fresh.write("back");
    assert.equal(await receive(fresh, 4, 2000), "back");
    fresh.destroy();
  });
});
