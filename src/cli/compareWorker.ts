/**
 * A worker thread of `xshard compare` (compareRun.ts): it takes runs from the shared counter until
 * none is left, and posts each run's results as the exact text of the results file plus the results
 * themselves (plain data; structured clone keeps them as they are). The workload is generated here
 * from the same flags and seed (generation is deterministic, so every thread holds the bytes the
 * main thread would have generated), once per seed.
 */
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { isXshardError } from "../errors.js";
import { resolveRunConfig, runProtocol, stringifyResults } from "../runner.js";
import type { ResultsFile } from "../results/schema.js";
import type { GeneratedWorkload } from "../workloads/types.js";
import { runConfigFromFlags } from "./options.js";
import { loadWorkload } from "./workload.js";

/** What the main thread gives each worker. */
export interface CompareWorkerData {
  /** Flags of the compare command (commander keys). */
  readonly options: Record<string, unknown>;
  readonly specs: readonly { readonly seed: string; readonly protocol: string }[];
  /** Indices into `specs` in the order they are taken. */
  readonly order: readonly number[];
  /** One Int32 on shared memory: the position in `order` of the next run to take. */
  readonly counter: Int32Array;
}

/** What a worker posts: a run's progress, its results, or the typed error that stopped it (classes do not cross threads). */
export type CompareWorkerMessage =
  | { readonly kind: "progress"; readonly index: number; readonly done: number; readonly total: number }
  | { readonly kind: "done"; readonly index: number; readonly text: string; readonly results: ResultsFile }
  | { readonly kind: "error"; readonly index: number; readonly error: { code: string; message: string; data: Record<string, unknown> } };

/** Takes and runs runs until the counter passes the end; posts every result. */
export function runCompareWorker(data: CompareWorkerData, post: (m: CompareWorkerMessage) => void): void {
  const { options, specs, order, counter } = data;
  let cached: { seed: string; workload: GeneratedWorkload } | undefined;
  for (let k = Atomics.add(counter, 0, 1); k < order.length; k = Atomics.add(counter, 0, 1)) {
    const index = order[k] as number;
    const spec = specs[index] as { seed: string; protocol: string };
    try {
      const flags = { ...options, seed: spec.seed };
      const config = resolveRunConfig(runConfigFromFlags(flags, spec.protocol));
      if (cached?.seed !== spec.seed) {
        cached = undefined;
        // The same checks as the main thread's (size, trace indices); the out directory was checked there.
        cached = { seed: spec.seed, workload: loadWorkload(flags, spec.seed, { configs: [config] }) };
      }
      const out = runProtocol(config, cached.workload, (s, last) => post({ kind: "progress", index, done: s + 1, total: last + 1 }));
      post({ kind: "done", index, text: stringifyResults(out.results), results: out.results });
    } catch (e) {
      if (!isXshardError(e)) throw e;
      Atomics.store(counter, 0, order.length);
      post({ kind: "error", index, error: { code: e.code, message: e.message, data: e.data } });
      return;
    }
  }
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  runCompareWorker(workerData as CompareWorkerData, (m) => port.postMessage(m));
}
