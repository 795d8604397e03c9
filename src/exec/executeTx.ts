/**
 * Runs one transaction program (or one segment of it) against contract states: the glue between the
 * pure interpreter (program/) and the WebAssembly runtime (runtime/). Shared by every protocol.
 *
 * Within one transaction, a later call sees the writes of earlier calls to the same contract (a
 * per-contract overlay). Nothing is applied to any state here: the caller gets the effects and
 * decides (the delayed chain applies them only if the whole program committed; the receipts design
 * applies a segment's effects when the segment's block is final, whatever comes later).
 */
import type { Address, Bytes, ContractId, StateView, Value, WriteSet } from "../types.js";
import { MAX_ARG_BYTES, evaluateProgram, type CallOutcome, type EvalOptions, type Program, type ProgramRun } from "../program/index.js";
import type { Runtime } from "../runtime/index.js";
import { getKeyHex } from "../runtime/keys.js";

/** What the executor needs to know of one contract. */
export interface ContractHandle {
  readonly codeHash: string;
  readonly state: StateView;
  readonly ended: boolean;
}

export interface ExecContext {
  readonly runtime: Runtime;
  readonly sender: Address;
  readonly txId: Uint8Array;
  /** Total instruction budget of the transaction (each call gets what is left). */
  readonly gasLimit: bigint;
  /** The contract, or undefined when it does not exist here (calls to it fail). */
  contract(id: ContractId): ContractHandle | undefined;
}

export interface CreatedSuccessor {
  readonly creator: ContractId;
  readonly id: ContractId;
  readonly codeHash: string;
  readonly writes: WriteSet;
}

export interface TxEffects {
  /** Net writes per contract (only contracts that were written). */
  readonly writes: Map<ContractId, WriteSet>;
  readonly created: CreatedSuccessor[];
  readonly ended: Set<ContractId>;
  /** Keys read from each contract's base state (hex), for witnesses. */
  readonly reads: Map<ContractId, Set<string>>;
  /** Contracts actually called (a call skipped for Nothing is not here). */
  readonly called: Set<ContractId>;
}

export interface TxExecution {
  readonly run: ProgramRun;
  readonly effects: TxEffects;
  readonly gas: bigint;
}

/** A view of one contract's state with this transaction's writes on top; records base reads. */
class Overlay implements StateView {
  readonly writes: WriteSet = new Map();
  readonly reads = new Set<string>();
  ended = false;

  constructor(readonly base: StateView) {}

  get(key: Bytes): Bytes | undefined {
    const k = getKeyHex(key);
    const written = this.writes.get(k);
    if (written !== undefined) return written ?? undefined;
    this.reads.add(k);
    return this.base.get(key);
  }

  apply(writes: WriteSet): void {
    for (const [k, v] of writes) this.writes.set(k, v);
  }
}

/**
 * Executes `program` from `opts.start` (default 0). Calls to a contract that does not exist or has
 * ended fail (the step yields Nothing), like any other failed call.
 */
export function executeProgram(program: Program, ctx: ExecContext, opts: EvalOptions = {}): TxExecution {
  const overlays = new Map<ContractId, Overlay>();
  const created: CreatedSuccessor[] = [];
  const called = new Set<ContractId>();
  let gasUsed = 0n;

  const overlayOf = (id: ContractId, h: ContractHandle): Overlay => {
    let o = overlays.get(id);
    if (!o) {
      o = new Overlay(h.state);
      o.ended = h.ended;
      overlays.set(id, o);
    }
    return o;
  };

  const call = (contract: ContractId, method: string, args: Value[]): CallOutcome => {
    const h = ctx.contract(contract);
    if (!h) return { ok: false, failure: { kind: "no-contract", message: `no contract ${contract}` }, gas: 0n };
    called.add(contract);
    const o = overlayOf(contract, h);
    if (o.ended) return { ok: false, failure: { kind: "ended", message: `contract ${contract} has ended` }, gas: 0n };
    const budget = ctx.gasLimit - gasUsed;
    if (budget <= 0n) return { ok: false, failure: { kind: "out-of-budget", message: "transaction gas exhausted" }, gas: 0n };
    const r = ctx.runtime.call({
      contract,
      codeHash: h.codeHash,
      state: o,
      caller: ctx.sender,
      method,
      args,
      txId: ctx.txId,
      budget,
      successorIndex: created.length,
    });
    gasUsed += r.instructions;
    if (!r.ok) return { ok: false, failure: r.failure, gas: r.instructions };
    if (r.returnData.length > MAX_ARG_BYTES) {
      // A program value must fit an argument; the call fails and its writes are dropped.
      return { ok: false, failure: { kind: "return-too-large", message: `returned ${r.returnData.length} bytes (at most ${MAX_ARG_BYTES})` }, gas: r.instructions };
    }
    o.apply(r.writes);
    if (r.ended) o.ended = true;
    for (const c of r.created) created.push({ creator: contract, id: c.id, codeHash: c.codeHash, writes: c.writes });
    return { ok: true, returnData: r.returnData, gas: r.instructions };
  };

  const run = evaluateProgram(program, call, opts);
  const writes = new Map<ContractId, WriteSet>();
  const ended = new Set<ContractId>();
  const reads = new Map<ContractId, Set<string>>();
  for (const [id, o] of overlays) {
    if (o.writes.size > 0) writes.set(id, o.writes);
    if (o.ended && !(ctx.contract(id)?.ended ?? false)) ended.add(id);
    reads.set(id, o.reads);
  }
  return { run, effects: { writes, created, ended, reads, called }, gas: gasUsed };
}
