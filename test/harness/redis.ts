import { createConnection } from "node:net";

/** The Redis the suite uses when one runs on this machine (CI starts it: .ci/run). */
export const REDIS = { host: "127.0.0.1", port: 6379 } as const;

/** Whether that Redis accepts a connection; tests that need it skip with "no Redis on 127.0.0.1:6379" otherwise. */
export const redisAvailable = await new Promise<boolean>((resolve) => {
  const socket = createConnection(REDIS, () => {
    socket.end();
    resolve(true);
  });
  socket.on("error", () => resolve(false));
});
