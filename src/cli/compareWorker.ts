/**
 * One protocol of `xshard compare` in a worker thread: the workload is generated here from the
 * same flags and seed (generation is deterministic, so every thread holds the bytes the main
 * thread would have generated), the protocol runs, and the results come back as the exact text of
 * the results file plus the results themselves (plain data; structured clone keeps them as they are).
 */
import { threadId, type MessagePort } from "node:worker_threads";
import { isXshardError } from "../errors.js";
import { resolveRunConfig, runProtocol, stringifyResults } from "../runner.js";
import type { ResultsFile } from "../results/schema.js";
import type { GeneratedWorkload } from "../workloads/types.js";
import { runConfigFromFlags } from "./options.js";
import { loadWorkload } from "./workload.js";

export interface CompareTask {
  /** Flags of the compare command (commander keys) with the seed filled in. */
  readonly options: Record<string, unknown>;
  readonly seed: string;
  readonly protocol: string;
  /** Progress messages `[slot, last]` go here (transferred with the task). */
  readonly progress?: MessagePort;
}

export interface CompareTaskResult {
  readonly threadId: number;
  /** The results file's text (`stringifyResults`), written as is. */
  readonly text?: string;
  readonly results?: ResultsFile;
  /** A typed error, sent as data (classes do not cross threads). */
  readonly error?: { code: string; message: string; data: Record<string, unknown> };
}

/** The last workload this thread generated, by flags and seed (tasks of one seed come together). */
let cached: { key: string; workload: GeneratedWorkload } | undefined;

function workloadFor(options: Record<string, unknown>, seed: string, protocol: string): GeneratedWorkload {
  const key = JSON.stringify([options, seed]);
  if (cached?.key === key) return cached.workload;
  cached = undefined;
  const config = resolveRunConfig(runConfigFromFlags(options, protocol));
  // The same checks as the main thread's (size, trace indices); the out directory was checked there.
  const workload = loadWorkload(options, seed, { configs: [config] });
  cached = { key, workload };
  return workload;
}

export default function runCompareTask(task: CompareTask): CompareTaskResult {
  try {
    const flags = { ...task.options, seed: task.seed };
    const config = resolveRunConfig(runConfigFromFlags(flags, task.protocol));
    const workload = workloadFor(flags, task.seed, task.protocol);
    const port = task.progress;
    const out = runProtocol(config, workload, port ? (s, last) => port.postMessage([s + 1, last + 1]) : undefined);
    return { threadId, text: stringifyResults(out.results), results: out.results };
  } catch (e) {
    if (isXshardError(e)) return { threadId, error: { code: e.code, message: e.message, data: e.data } };
    throw e;
  } finally {
    task.progress?.close();
  }
}
