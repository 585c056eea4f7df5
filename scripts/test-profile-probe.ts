/**
 * Loaded into every test file's process by `scripts/run-tests.ts` when KEYLESS_TEST_PROFILE is set: at exit it
 * appends one JSON line with the file, its wall time and its CPU time (user + system of the process and of every
 * child process it waited for: the Azure CLI, `keyless` subprocesses, servers) to KEYLESS_TEST_PROFILE_LOG.
 * CPU time is the figure to compare on a shared machine; wall time follows the load.
 */
import { appendFileSync, readFileSync } from "node:fs";

const log = process.env.KEYLESS_TEST_PROFILE_LOG;
const file = process.argv[1] ?? "";
if (log && /\.test\.[cm]?[jt]s$/.test(file)) {
  process.on("exit", () => {
    // /proc/self/stat fields 14–17: utime, stime, cutime, cstime in clock ticks (100 a second on Linux).
    const stat = readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = (i: number) => Number(fields[i - 3]);
    const line = {
      file: file.slice(process.cwd().length + 1),
      wallS: Math.round(process.uptime() * 10) / 10,
      userS: (ticks(14) + ticks(16)) / 100,
      sysS: (ticks(15) + ticks(17)) / 100,
      load1: Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]),
    };
    appendFileSync(log, `${JSON.stringify(line)}\n`);
  });
}
