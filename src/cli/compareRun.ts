/**
 * Running `compare`'s (seed, protocol) runs: in this thread one after the other, or in worker
 * threads (piscina), one run per task. The results are the same bytes either way: a run depends
 * only on its configuration and its workload, and each thread generates the workload from the same
 * flags and seed (test/cli/compare-parallel.test.ts compares the files of both ways).
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { MessageChannel } from "node:worker_threads";
import { Piscina } from "piscina";
import cliProgress from "cli-progress";
import { XshardError } from "../errors.js";
import { resolveRunConfig, runProtocol, stringifyResults } from "../runner.js";
import type { ResultsFile } from "../results/schema.js";
import type { GeneratedWorkload } from "../workloads/types.js";
import { createProgress, type Progress } from "./progress.js";
import { runConfigFromFlags } from "./options.js";
import { loadWorkload } from "./workload.js";
import type { CompareTask, CompareTaskResult } from "./compareWorker.js";

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
 * Runs every spec and calls `onDone` for each as it finishes (in any order); returns the runs in the
 * order of `specs`, and how many worker threads ran them (0: this thread). `threads` ≤ 1: in this
 * thread, in order, one workload per seed generated here.
 */
export async function runCompareSpecs(
  o: Record<string, unknown>,
  specs: readonly CompareRunSpec[],
  threads: number,
  onDone: (spec: CompareRunSpec, done: CompareRunDone) => void,
): Promise<{ runs: CompareRunDone[]; threads: number }> {
  if (threads <= 1) return { runs: runHere(o, specs, onDone), threads: 0 };
  const used = new Set<number>();
  const runs = await runInThreads(o, specs, threads, (spec, done, threadId) => {
    used.add(threadId);
    onDone(spec, done);
  });
  return { runs, threads: used.size };
}

function runHere(o: Record<string, unknown>, specs: readonly CompareRunSpec[], onDone: (spec: CompareRunSpec, done: CompareRunDone) => void): CompareRunDone[] {
  let cached: { seed: string; workload: GeneratedWorkload } | undefined;
  return specs.map((spec) => {
    const flags = { ...o, seed: spec.seed };
    const config = resolveRunConfig(runConfigFromFlags(flags, spec.protocol));
    if (cached?.seed !== spec.seed) {
      const configs = specs.filter((s) => s.seed === spec.seed).map((s) => resolveRunConfig(runConfigFromFlags(flags, s.protocol)));
      cached = { seed: spec.seed, workload: loadWorkload(flags, spec.seed, { configs }) };
    }
    const progress = createProgress(spec.protocol);
    const out = runProtocol(config, cached.workload, (s, last) => progress.update(s + 1, last + 1));
    progress.stop();
    const done = { text: stringifyResults(out.results), results: out.results };
    onDone(spec, done);
    return done;
  });
}

async function runInThreads(
  o: Record<string, unknown>,
  specs: readonly CompareRunSpec[],
  threads: number,
  onDone: (spec: CompareRunSpec, done: CompareRunDone, threadId: number) => void,
): Promise<CompareRunDone[]> {
  const seeds = new Set(specs.map((s) => s.seed)).size;
  const label = (s: CompareRunSpec): string => (seeds > 1 ? `${s.protocol} seed ${s.seed}` : s.protocol);
  const bars = createProgressGroup();
  const pool = new Piscina({ filename: COMPARE_WORKER_FILE.href, minThreads: threads, maxThreads: threads });
  try {
    return await Promise.all(
      specs.map(async (spec) => {
        const channel = new MessageChannel();
        let progress: Progress | undefined;
        channel.port1.on("message", ([done, total]: [number, number]) => {
          progress ??= bars.create(label(spec));
          progress.update(done, total);
        });
        const task: CompareTask = { options: o, seed: spec.seed, protocol: spec.protocol, progress: channel.port2 };
        try {
          const r = (await pool.run(task, { transferList: [channel.port2] })) as CompareTaskResult;
          if (r.error) throw new XshardError(r.error.code, r.error.message, r.error.data);
          const done = { text: r.text as string, results: r.results as ResultsFile };
          onDone(spec, done, r.threadId);
          return done;
        } finally {
          channel.port1.close();
          progress?.stop();
        }
      }),
    );
  } finally {
    bars.stop();
    await pool.destroy();
  }
}

/**
 * Progress of runs that go on at the same time: on a terminal one bar per run under one
 * `MultiBar` (separate bars would overwrite each other); otherwise each run's own lines.
 */
function createProgressGroup(stream: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr): { create(label: string): Progress; stop(): void } {
  if (!stream.isTTY) return { create: (label) => createProgress(label, "slots", { stream }), stop() {} };
  const multi = new cliProgress.MultiBar({ format: "{label} [{bar}] {value}/{total} slots", stream, hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic);
  return {
    create(label) {
      let bar: cliProgress.SingleBar | undefined;
      return {
        update(done, total) {
          bar ??= multi.create(total, 0, { label });
          bar.setTotal(total);
          bar.update(done, { label });
        },
        stop() {
          if (bar) multi.remove(bar);
        },
      };
    },
    stop: () => multi.stop(),
  };
}
