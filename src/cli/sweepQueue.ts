/**
 * `sweep --queue redis://HOST:PORT/N`: every point goes on a BullMQ queue (job id = point id, so a
 * point already queued or done is not added twice, and a finished one is not run again); workers
 * anywhere (`xshard worker`) run them; the sweep collects results as they finish. Jobs are kept
 * after they finish: they are the cache that lets a sweep resume.
 */
import { Queue } from "bullmq";
import { XshardError } from "../errors.js";
import type { SweepRow } from "../report/model.js";
import { assertQueueReachable, QUEUE_NAME, toConnectionOptions, type QueueTarget } from "./queueConnection.js";
import { describePoint, type SweepPoint, type SweepTask } from "./sweepGrid.js";
import type { PointOutcome, PointRunner, RunCounts } from "./sweepRun.js";

/** The data of a point's job. */
export interface QueuedPoint {
  readonly codeVersion: string;
  /** Index and label in the sweep that queued it first (for workers' log lines). */
  readonly index: number;
  readonly label: string;
  readonly task: SweepTask;
}

/** The return value of a point's job. */
export interface QueuedResult {
  readonly rows: SweepRow[];
  readonly worker: string;
  readonly error?: { code: string; message: string; data: Record<string, unknown> };
}

export interface QueueRunnerOptions {
  /** Milliseconds between looks at the jobs' states (default 250). */
  readonly pollMs?: number;
}

export function createQueueRunner(target: QueueTarget, codeVersion: string, options: QueueRunnerOptions = {}): PointRunner {
  return {
    async run(points, onDone, onCounts) {
      if (points.length === 0) return;
      await assertQueueReachable(target);
      const queue = new Queue<QueuedPoint, QueuedResult>(QUEUE_NAME, { connection: toConnectionOptions(target) });
      // Connection trouble is reported once per message; commands wait for Redis to come back.
      let last = "";
      queue.on("error", (e) => {
        if (e.message !== last) process.stderr.write(`sweep: Redis at ${target.display}: ${e.message} (waiting for it)\n`);
        last = e.message;
      });
      try {
        await processRun(queue, points, codeVersion, onDone, onCounts, options.pollMs ?? 250);
      } catch (e) {
        if (e instanceof XshardError) throw e;
        throw new XshardError("QUEUE_FAILED", `the queue at ${target.display} failed: ${(e as Error).message}`, { url: target.display });
      } finally {
        await queue.close();
      }
    },
  };
}

async function processRun(
  queue: Queue<QueuedPoint, QueuedResult>,
  points: readonly SweepPoint[],
  codeVersion: string,
  onDone: (point: SweepPoint, outcome: PointOutcome) => void,
  onCounts: (c: RunCounts) => void,
  pollMs: number,
): Promise<void> {
  // Equal configurations share one job (and one result).
  const byId = new Map<string, SweepPoint[]>();
  for (const p of points) byId.set(p.id, [...(byId.get(p.id) ?? []), p]);
  const add = (ids: readonly string[]) =>
    queue.addBulk(
      ids.map((id) => {
        const p = (byId.get(id) as SweepPoint[])[0] as SweepPoint;
        return {
          name: "point",
          data: { codeVersion, index: p.index, label: describePoint(p), task: p.task },
          opts: { jobId: id, attempts: 1, removeOnComplete: false, removeOnFail: false },
        };
      }),
    );
  await add([...byId.keys()]);
  // A point that failed in an earlier run (a crash, a lost worker) gets one more chance now.
  await Promise.all(
    [...byId.keys()].map(async (id) => {
      if ((await queue.getJobState(id)) === "failed") await (await queue.getJob(id))?.retry("failed");
    }),
  );
  const pending = new Set(byId.keys());
  const counts: RunCounts = { queued: points.length, running: 0, done: 0, failed: 0 };
  for (;;) {
    let queued = 0;
    let running = 0;
    const states = await Promise.all([...pending].map(async (id) => [id, await queue.getJobState(id)] as const));
    const gone: string[] = [];
    for (const [id, state] of states) {
      const n = (byId.get(id) as SweepPoint[]).length;
      if (state === "active") running += n;
      else if (state === "completed" || state === "failed") {
        const job = await queue.getJob(id);
        if (job === undefined) {
          gone.push(id);
          queued += n;
          continue;
        }
        const outcome: PointOutcome =
          state === "completed"
            ? job.returnvalue
            : { rows: [], worker: "?", error: { code: "POINT_FAILED", message: `point failed on the queue: ${job.failedReason}`, data: { id } } };
        pending.delete(id);
        for (const p of byId.get(id) as SweepPoint[]) {
          if (outcome.error) counts.failed++;
          else counts.done++;
          onDone(p, outcome);
        }
      } else if (state === "unknown") {
        gone.push(id);
        queued += n;
      } else queued += n;
    }
    // Someone removed jobs (e.g. cleaned the queue) while the sweep waited: queue them again.
    if (gone.length > 0) await add(gone);
    onCounts({ ...counts, queued, running });
    if (pending.size === 0) return;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
