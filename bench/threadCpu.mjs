/**
 * CPU seconds of this process's main thread alone (Linux: /proc/self/task/PID/stat, utime + stime),
 * for the simulation benches: on several threads the process's CPU counts the workers too, while
 * the main thread's CPU is the run's critical path. null where /proc is not there.
 */
import { readFileSync } from "node:fs";

/** Clock ticks per second of /proc's times (USER_HZ: 100 on Linux x86-64 and arm64). */
const TICKS = 100;

export function getMainThreadCpuSeconds() {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces), from field 3 on: utime is 14, stime 15.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return +((Number(rest[11]) + Number(rest[12])) / TICKS).toFixed(2);
  } catch {
    return null;
  }
}
