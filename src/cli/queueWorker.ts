/**
 * `xshard worker --queue URL`: takes sweep points from the BullMQ queue and runs each in a worker
 * thread (the same code as a local sweep, so results are identical), while the main thread keeps
 * the job's lock alive. A worker killed mid-point loses nothing: its lock expires and BullMQ's
 * stalled-job check (run by every other worker) puts the point back on the queue.
 *
 * By default a worker exits once the queue has had nothing waiting or running for `idleSeconds`;
 * with `keepWaiting` it waits for new points until stopped (SIGINT/SIGTERM finish the current
 * points first). Points queued by another code version are left on the queue and the worker
 * stops with `CODE_VERSION_MISMATCH`.
 */
import { hostname } from "node:os";
import { Queue, WaitingError, Worker, type Job } from "bullmq";
import { Piscina } from "piscina";
import { XshardError } from "../errors.js";
import { getCodeVersion } from "./codeVersion.js";
import { assertQueueReachable, QUEUE_NAME, toConnectionOptions, type QueueTarget } from "./queueConnection.js";
import type { QueuedPoint, QueuedResult } from "./sweepQueue.js";
import { SWEEP_WORKER_FILE } from "./sweepRun.js";
import type { SweepTaskResult } from "./sweepWorker.js";

export interface QueueWorkerOptions {
  /** Points run at once (worker threads). */
  readonly concurrency: number;
  /** Exit after the queue has been empty this long (ignored with `keepWaiting`). */
  readonly idleSeconds: number;
  readonly keepWaiting: boolean;
  /**
   * Lock duration in ms: a killed worker's point goes back on the queue this long after the last
   * renewal plus up to two stalled checks (one every half of it). Default 30 000.
   */
  readonly lockMs: number;
}

export interface QueueWorkerSummary {
  readonly points: number;
  readonly name: string;
}

/** Queue states that mean there is still work for someone. */
const BUSY_STATES = ["waiting", "active", "delayed", "prioritized", "waiting-children"] as const;

export function assertCodeVersion(queued: string, mine: string, job: Pick<QueuedPoint, "index" | "label">): void {
  if (queued !== mine) {
    throw new XshardError(
      "CODE_VERSION_MISMATCH",
      `point ${job.index} (${job.label}) was queued by xshard ${queued}, this worker is ${mine}: run workers built from the same code as the sweep`,
      { queued, mine },
    );
  }
}

export async function runQueueWorker(target: QueueTarget, options: QueueWorkerOptions, log: (line: string) => void): Promise<QueueWorkerSummary> {
  await assertQueueReachable(target);
  const codeVersion = getCodeVersion();
  const name = `${hostname()}:${process.pid}`;
  const connection = toConnectionOptions(target);
  const pool = new Piscina({ filename: SWEEP_WORKER_FILE, minThreads: 1, maxThreads: options.concurrency });
  const queue = new Queue(QUEUE_NAME, { connection });
  let refused: XshardError | undefined;
  let points = 0;
  let running = 0;

  const processor = async (job: Job<QueuedPoint, QueuedResult>, token?: string): Promise<QueuedResult> => {
    try {
      if (refused === undefined) assertCodeVersion(job.data.codeVersion, codeVersion, job.data);
    } catch (e) {
      refused = e as XshardError;
      setImmediate(() => void worker.close());
    }
    if (refused !== undefined) {
      // Leave the point for a worker of the right version.
      await job.moveToWait(token);
      throw new WaitingError();
    }
    running++;
    const started = Date.now();
    log(`worker ${name}: point ${job.data.index} (${job.data.label}) started`);
    try {
      const r = (await pool.run(job.data.task)) as SweepTaskResult;
      points++;
      log(`worker ${name}: point ${job.data.index} ${r.error ? `failed: ${r.error.message}` : "done"} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return { rows: r.rows, worker: name, ...(r.error ? { error: r.error } : {}) };
    } finally {
      running--;
    }
  };

  const worker = new Worker<QueuedPoint, QueuedResult>(QUEUE_NAME, processor, {
    connection,
    concurrency: options.concurrency,
    lockDuration: options.lockMs,
    stalledInterval: Math.max(500, Math.floor(options.lockMs / 2)),
    maxStalledCount: 2,
    autorun: false,
  });
  let lastError = "";
  worker.on("error", (e) => {
    if (e.message !== lastError) log(`worker ${name}: ${e.message}`);
    lastError = e.message;
  });

  const stop = (): void => void worker.close();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  let idleSince: number | null = null;
  const watch = options.keepWaiting
    ? undefined
    : setInterval(() => {
        void queue.getJobCounts(...BUSY_STATES).then((c) => {
          const busy = running > 0 || BUSY_STATES.some((s) => (c[s] ?? 0) > 0);
          idleSince = busy ? null : (idleSince ?? Date.now());
          if (idleSince !== null && Date.now() - idleSince >= options.idleSeconds * 1000) stop();
        }, () => {});
      }, 250);
  log(`worker ${name}: xshard ${codeVersion}, ${options.concurrency} thread(s), queue ${QUEUE_NAME} at ${target.display}`);
  try {
    await worker.run();
  } finally {
    if (watch) clearInterval(watch);
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    await worker.close();
    await queue.close();
    await pool.destroy();
  }
  if (refused !== undefined) throw refused;
  return { points, name };
}
