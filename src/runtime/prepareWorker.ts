/**
 * The worker thread of preparer.ts: prepares each module it is sent (prepare.ts) and answers on the
 * port it was given, then raises the shared flag the asking thread waits on.
 */
import { workerData } from "node:worker_threads";
import type { MessagePort } from "node:worker_threads";
import { isXshardError } from "../errors.js";
import { prepareModule, type PrepareLimits } from "./prepare.js";

export interface PrepareRequest {
  readonly wasm: Uint8Array;
  readonly limits: PrepareLimits;
}

export type PrepareReply =
  | { readonly ok: true; readonly bytes: Uint8Array; readonly methods: string[]; readonly instantiationCost: bigint }
  | { readonly ok: false; readonly code: string; readonly message: string; readonly data: Record<string, unknown> };

const { port, signal } = workerData as { port: MessagePort; signal: Int32Array };

function answer(req: PrepareRequest): PrepareReply {
  try {
    const p = prepareModule(req.wasm, req.limits);
    return { ok: true, bytes: p.bytes, methods: [...p.methods], instantiationCost: p.instantiationCost };
  } catch (e) {
    if (isXshardError(e)) return { ok: false, code: e.code, message: e.message, data: e.data };
    return { ok: false, code: "PREPARER_FAILED", message: e instanceof Error ? e.message : String(e), data: {} };
  }
}

port.on("message", (req: PrepareRequest) => {
  port.postMessage(answer(req));
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});
