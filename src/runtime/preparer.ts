/**
 * Runs the preparation (prepare.ts, which needs binaryen) only when prepared code is not cached,
 * and without loading binaryen into the process that asked:
 *
 * - after `loadPreparer()` (async: binaryen is an ES module with top-level await), in this thread;
 * - otherwise in a worker thread started on the first miss and kept (unreferenced) for later ones,
 *   while this thread waits on a shared flag (`Atomics.wait`), so that `Runtime.registerCode` stays
 *   synchronous. From sources (tests) the worker loads the TypeScript through tsx (a
 *   devDependency; the built package needs none).
 *
 * Both give the same bytes (the same function runs); errors come back as the same XshardError
 * (code, message, data; the cause stays in the worker).
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from "node:worker_threads";
import { pathToFileURL } from "node:url";
import { XshardError } from "../errors.js";
import type { PreparedCode, PrepareLimits } from "./prepare.js";
import type { PrepareReply, PrepareRequest } from "./prepareWorker.js";

type Prepare = (wasm: Uint8Array, limits: PrepareLimits) => PreparedCode;

/** How long a preparation may take in the worker before the wait gives up. */
const WORKER_TIMEOUT_MS = 300_000;

let inThread: Prepare | null = null;

/** Loads binaryen and the metering pass into this thread: later misses prepare here. */
export async function loadPreparer(): Promise<void> {
  inThread ??= (await import("./prepare.js")).prepareModule;
}

interface PreparerWorker {
  readonly worker: Worker;
  readonly port: MessagePort;
  readonly signal: Int32Array;
  failure: XshardError | null;
}

let current: PreparerWorker | null = null;

/**
 * Code the worker evaluates: loads the entry, and reports a failure to load. From sources it loads
 * binaryen first, natively (through tsx's loader its 14 MB would take tens of seconds), then
 * registers tsx for the TypeScript.
 */
const WORKER_BOOT = `
const { workerData } = require("node:worker_threads");
const load = workerData.tsx === null
  ? import(workerData.entry)
  : import(workerData.binaryen)
      .then(() => import(workerData.tsx))
      .then((tsx) => { tsx.register(); return import(workerData.entry); });
load.catch((e) => {
  workerData.port.postMessage({ ok: false, code: "PREPARER_UNAVAILABLE", message: "cannot start the code preparer: " + (e && e.message), data: {} });
  Atomics.store(workerData.signal, 0, 1);
  Atomics.notify(workerData.signal, 0);
});
`;

/**
 * The ES module build of tsx's API (its CommonJS build cannot register the loader on Node 20):
 * `require.resolve` gives the CommonJS file, the ES one sits next to it.
 */
function resolveTsxApi(from: string): string {
  const cjs = createRequire(from).resolve("tsx/esm/api");
  const esm = join(dirname(cjs), "index.mjs");
  return pathToFileURL(existsSync(esm) ? esm : cjs).href;
}

function startWorker(): PreparerWorker {
  const own = import.meta.url;
  const fromSources = own.endsWith(".ts");
  const entry = new URL(fromSources ? "./prepareWorker.ts" : "./prepareWorker.js", own).href;
  const tsx = fromSources ? resolveTsxApi(own) : null;
  const binaryen = fromSources ? pathToFileURL(createRequire(own).resolve("binaryen")).href : null;
  const { port1, port2 } = new MessageChannel();
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(WORKER_BOOT, { eval: true, workerData: { entry, tsx, binaryen, port: port2, signal }, transferList: [port2] });
  worker.unref();
  port1.unref();
  return { worker, port: port1, signal, failure: null };
}

/** Prepares in the worker, waiting for its answer. */
function prepareInWorker(wasm: Uint8Array, limits: PrepareLimits): PreparedCode {
  current ??= startWorker();
  const w = current;
  if (w.failure !== null) throw w.failure;
  Atomics.store(w.signal, 0, 0);
  w.port.postMessage({ wasm, limits } satisfies PrepareRequest);
  if (Atomics.wait(w.signal, 0, 0, WORKER_TIMEOUT_MS) === "timed-out") {
    w.failure = new XshardError("PREPARER_UNAVAILABLE", `the code preparer did not answer within ${WORKER_TIMEOUT_MS} ms`);
    throw w.failure;
  }
  const reply = receiveMessageOnPort(w.port)?.message as PrepareReply | undefined;
  if (reply === undefined) throw new XshardError("PREPARER_UNAVAILABLE", "the code preparer signalled without an answer");
  if (!reply.ok) {
    const error = new XshardError(reply.code, reply.message, reply.data);
    if (reply.code === "PREPARER_UNAVAILABLE") w.failure = error;
    throw error;
  }
  return { bytes: reply.bytes, methods: new Set(reply.methods), instantiationCost: reply.instantiationCost };
}

/** prepareModule (prepare.ts), in this thread when loaded, else in the worker. */
export function prepareCode(wasm: Uint8Array, limits: PrepareLimits): PreparedCode {
  return inThread !== null ? inThread(wasm, limits) : prepareInWorker(wasm, limits);
}
