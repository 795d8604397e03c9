/**
 * Running `compare`'s (seed, protocol) runs: in this thread one after the other, or on several
 * threads at once — this one and `threads - 1` worker threads (compareWorker.ts) — that take the
 * runs from one shared counter, longest expected run first. The results are the same bytes either
 * way: a run depends only on its configuration and its workload, and each thread generates the
 * workload from the same flags and seed (test/cli/compare-parallel.test.ts compares the files).
 *
 * Why this thread runs protocols too (docs/benchmarks.md, "compare on both cores"): it has already
 * loaded every module, and every thread that starts loads them again, compiles the same hot code
 * again (V8 optimises per thread) and generates the workload again; on two cores an idle coordinator
 * beside two workers made `compare --workers 2` no faster than one thread.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import cliProgress from "cli-progress";
import { XshardError } from "../errors.js";
import { resolveRunConfig, runProtocol, stringifyResults } from "../runner.js";
import type { ResultsFile } from "../results/schema.js";
import type { GeneratedWorkload } from "../workloads/types.js";
import { createProgress, type Progress } from "./progress.js";
import { runConfigFromFlags } from "./options.js";
import { loadWorkload } from "./workload.js";
import type { CompareWorkerData, CompareWorkerMessage } from "./compareWorker.js";

/** One run of the comparison: a protocol under a seed. */
export interface CompareRunSpec {
  readonly seed: string;
  readonly protocol: string;
}

/** A finished run: the results file's text and the results. */
export interface CompareRunDone {
  readonly text: string;
  readonly results: ResultsFile;
}

/** The worker-thread file (loaded from dist/, like the binary). */
export const COMPARE_WORKER_FILE = new URL("./compareWorker.js", import.meta.url);

/** Whether worker threads can be started: the compiled worker file exists (not when running from sources). */
export function canUseWorkers(): boolean {
  return existsSync(fileURLToPath(COMPARE_WORKER_FILE));
}

/**
 * Expected CPU time of each protocol's run relative to `receipts:nonsequential`, measured on the
 * default `exchange` workload and on 4,000 transfers (docs/benchmarks.md, "compare on both cores").
 * Only the order of the runs depends on it (longest first, so that no thread is left with a long run
 * at the end), never a result. A protocol not listed counts 1.
 */
const EXPECTED_COST: Readonly<Record<string, number>> = {
  "delayed:conditional": 2.8,
  delayed: 2.8,
  "delayed:strict": 2.4,
  sync: 1.6,
  "receipts:nonsequential": 1,
  "receipts:sequential": 0.9,
  "receipts:passive": 0.7,
  lock2pc: 0.5,
};

function expectedCost(protocol: string): number {
  return EXPECTED_COST[protocol] ?? EXPECTED_COST[protocol.split("+")[0] as string] ?? 1;
}

/**
 * The order in which the threads take the runs: seed by seed (a thread keeps one workload at a
 * time), within a seed the longest expected run first; ties keep the order of `specs`.
 */
export function scheduleRuns(specs: readonly CompareRunSpec[]): number[] {
  const seeds = [...new Set(specs.map((s) => s.seed))];
  const idx = specs.map((_, i) => i);
  return idx.sort((a, b) => {
    const sa = specs[a] as CompareRunSpec;
    const sb = specs[b] as CompareRunSpec;
    return seeds.indexOf(sa.seed) - seeds.indexOf(sb.seed) || expectedCost(sb.protocol) - expectedCost(sa.protocol) || a - b;
  });
}

/** How the threads share the runs. */
export interface CompareThreadOptions {
  /** Threads running protocols at the same time (≤ 1: this thread alone, in order). */
  readonly threads: number;
  /** This thread only hands out runs and collects results; `threads` workers run them (the layout before 2026-12, kept for benchmarks and tests). */
  readonly workersOnly?: boolean;
}

/**
 * Runs every spec and calls `onDone` for each as it finishes (in any order); returns the runs in the
 * order of `specs`, how many worker threads were started (0: this thread alone) and how many runs
 * this thread ran (which thread takes which run depends on timing; the results do not).
 */
export async function runCompareSpecs(
  o: Record<string, unknown>,
  specs: readonly CompareRunSpec[],
  opts: CompareThreadOptions,
  onDone: (spec: CompareRunSpec, done: CompareRunDone) => void,
): Promise<{ runs: CompareRunDone[]; workers: number; ranHere: number }> {
  if (opts.threads <= 1) {
    const runLocal = createLocalRunner(o, specs);
    const runs = specs.map((spec) => {
      const progress = createProgress(spec.protocol);
      const done = runLocal(spec, (s, last) => progress.update(s + 1, last + 1));
      progress.stop();
      onDone(spec, done);
      return done;
    });
    return { runs, workers: 0, ranHere: runs.length };
  }
  const workers = opts.workersOnly === true ? opts.threads : opts.threads - 1;
  return { ...(await runOnThreads(o, specs, workers, opts.workersOnly !== true, onDone)), workers };
}

/** Runs a spec in this thread; the workload of the last seed is kept (generated with the CLI's checks). */
function createLocalRunner(o: Record<string, unknown>, specs: readonly CompareRunSpec[]): (spec: CompareRunSpec, onSlot: (slot: number, last: number) => void) => CompareRunDone {
  let cached: { seed: string; workload: GeneratedWorkload } | undefined;
  return (spec, onSlot) => {
    const flags = { ...o, seed: spec.seed };
    const config = resolveRunConfig(runConfigFromFlags(flags, spec.protocol));
    if (cached?.seed !== spec.seed) {
      cached = undefined;
      const configs = specs.filter((s) => s.seed === spec.seed).map((s) => resolveRunConfig(runConfigFromFlags(flags, s.protocol)));
      cached = { seed: spec.seed, workload: loadWorkload(flags, spec.seed, { configs }) };
    }
    const out = runProtocol(config, cached.workload, onSlot);
    return { text: stringifyResults(out.results), results: out.results };
  };
}

/** Lets queued messages (workers' results and progress) through between two runs of this thread. */
function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * `workers` worker threads, and this thread when `here`, take runs from one shared counter over
 * `scheduleRuns(specs)` until none is left. A failed run stops the others from taking more (the
 * counter is moved past the end) and its error is thrown once every thread has stopped.
 */
async function runOnThreads(
  o: Record<string, unknown>,
  specs: readonly CompareRunSpec[],
  workers: number,
  here: boolean,
  onDone: (spec: CompareRunSpec, done: CompareRunDone) => void,
): Promise<{ runs: CompareRunDone[]; ranHere: number }> {
  const order = scheduleRuns(specs);
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const stopAll = (): void => void Atomics.store(counter, 0, order.length);
  const seeds = new Set(specs.map((s) => s.seed)).size;
  const label = (s: CompareRunSpec): string => (seeds > 1 ? `${s.protocol} seed ${s.seed}` : s.protocol);
  const bars = createProgressGroup();
  const runs: (CompareRunDone | undefined)[] = specs.map(() => undefined);
  const progress = new Map<number, Progress>();
  let failure: unknown;
  let ranHere = 0;
  let pending = specs.length;
  let alive = workers;
  let hereDone = !here;
  let settle = (): void => {};
  const settled = new Promise<void>((resolve) => (settle = resolve));
  // Done when every run is in, or one failed, or every thread stopped without the runs all in (a bug).
  const check = (): void => {
    if (failure !== undefined || pending === 0 || (alive === 0 && hereDone)) settle();
  };
  const fail = (e: unknown): void => {
    failure ??= e;
    stopAll();
    check();
  };
  const finish = (index: number, done: CompareRunDone): void => {
    runs[index] = done;
    progress.get(index)?.stop();
    progress.delete(index);
    onDone(specs[index] as CompareRunSpec, done);
    pending--;
    check();
  };
  const data: CompareWorkerData = { options: o, specs, order, counter };
  const started: Worker[] = [];
  for (let w = 0; w < workers; w++) {
    const worker = new Worker(COMPARE_WORKER_FILE, { workerData: data });
    started.push(worker);
    worker.on("message", (m: CompareWorkerMessage) => {
      if (failure !== undefined) return;
      try {
        if (m.kind === "progress") {
          let p = progress.get(m.index);
          if (!p) progress.set(m.index, (p = bars.create(label(specs[m.index] as CompareRunSpec))));
          p.update(m.done, m.total);
        } else if (m.kind === "done") finish(m.index, { text: m.text, results: m.results });
        else fail(new XshardError(m.error.code, m.error.message, m.error.data));
      } catch (e) {
        fail(e);
      }
    });
    worker.on("error", fail);
    worker.once("exit", () => {
      alive--;
      check();
    });
  }
  try {
    if (here) {
      const runLocal = createLocalRunner(o, specs);
      for (let k = Atomics.add(counter, 0, 1); k < order.length && failure === undefined; k = Atomics.add(counter, 0, 1)) {
        const index = order[k] as number;
        const p = bars.create(label(specs[index] as CompareRunSpec));
        progress.set(index, p);
        try {
          finish(index, runLocal(specs[index] as CompareRunSpec, (s, last) => p.update(s + 1, last + 1)));
          ranHere++;
        } catch (e) {
          fail(e);
        }
        await yieldToEvents();
      }
      hereDone = true;
      check();
    }
    await settled;
  } finally {
    // A worker still loading its modules when the last run came in (small runs) is not waited for.
    await Promise.all(started.map((w) => w.terminate()));
    for (const p of progress.values()) p.stop();
    bars.stop();
  }
  if (failure !== undefined) throw failure;
  const missing = runs.findIndex((r) => r === undefined);
  if (missing >= 0) throw new Error(`compare: run ${label(specs[missing] as CompareRunSpec)} did not finish`);
  return { runs: runs as CompareRunDone[], ranHere };
}

/** Least milliseconds between two redraws of the bars while this thread runs a protocol. */
const REDRAW_MS = 200;

/**
 * Progress of runs that go on at the same time: on a terminal one bar per run under one
 * `MultiBar` (separate bars would overwrite each other; redrawn from the updates, since its timer
 * waits while this thread runs a protocol); otherwise each run's own lines.
 */
function createProgressGroup(stream: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr): { create(label: string): Progress; stop(): void } {
  if (!stream.isTTY) return { create: (label) => createProgress(label, "slots", { stream }), stop() {} };
  const multi = new cliProgress.MultiBar({ format: "{label} [{bar}] {value}/{total} slots", stream, hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic);
  let drawn = 0;
  return {
    create(label) {
      let bar: cliProgress.SingleBar | undefined;
      return {
        update(done, total) {
          bar ??= multi.create(total, 0, { label });
          bar.setTotal(total);
          bar.update(done, { label });
          const now = Date.now();
          if (now - drawn >= REDRAW_MS) {
            drawn = now;
            multi.update();
          }
        },
        stop() {
          if (bar) multi.remove(bar);
          bar = undefined;
        },
      };
    },
    stop: () => multi.stop(),
  };
}
