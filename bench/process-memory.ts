/** A running process's resident memory in MB, from /proc (Linux): now (`VmRSS`) and its peak so far (`VmHWM`). */
import { readFileSync } from "node:fs";

export function residentMemoryMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const field = (name: string) => Number(/(\d+) kB/.exec(status.split("\n").find((l) => l.startsWith(name)) ?? "")?.[1] ?? 0) / 1024;
  return { rss: field("VmRSS:"), peak: field("VmHWM:") };
}
