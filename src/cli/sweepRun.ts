/**
 * Running sweep points, locally in worker threads (piscina) — the embedded default. The queue
 * runner (`sweepQueue.ts`) has the same shape; the sweep does not care which one ran a point.
 */
import { Piscina } from "piscina";
import type { SweepRow } from "../report/model.js";
import type { SweepPoint } from "./sweepGrid.js";
import type { SweepTaskResult } from "./sweepWorker.js";

/** What became of one point: its rows, or the typed error it ended with, and who ran it. */
export interface PointOutcome {
  readonly rows: SweepRow[];
  /** `thread 3` locally, `HOST:PID` on a queue. */
  readonly worker: string;
  readonly error?: { code: string; message: string; data: Record<string, unknown> };
}

/** Points of this run (not counting those found done before it) by state. */
export interface RunCounts {
  queued: number;
  running: number;
  done: number;
  failed: number;
}

export interface PointRunner {
  run(points: readonly SweepPoint[], onDone: (point: SweepPoint, outcome: PointOutcome) => void, onCounts: (c: RunCounts) => void): Promise<void>;
}

/** The worker-thread file that runs one point (loaded from dist/, like the binary). */
export const SWEEP_WORKER_FILE = new URL("./sweepWorker.js", import.meta.url).href;

export function createLocalRunner(threads: number): PointRunner {
  return {
    async run(points, onDone, onCounts) {
      if (points.length === 0) return;
      const pool = new Piscina({ filename: SWEEP_WORKER_FILE, minThreads: Math.min(threads, points.length), maxThreads: threads });
      const counts: RunCounts = { queued: points.length, running: 0, done: 0, failed: 0 };
      const report = (): void => {
        const left = points.length - counts.done - counts.failed;
        counts.running = Math.min(threads, left);
        counts.queued = left - counts.running;
        onCounts({ ...counts });
      };
      report();
      try {
        await Promise.all(
          points.map(async (point) => {
            const r = (await pool.run(point.task)) as SweepTaskResult;
            if (r.error) counts.failed++;
            else counts.done++;
            onDone(point, { rows: r.rows, worker: `thread ${r.threadId}`, ...(r.error ? { error: r.error } : {}) });
            report();
          }),
        );
      } finally {
        await pool.destroy();
      }
    },
  };
}
