/**
 * The witnessed states a node that follows only some committees reads the others' contracts from
 * (`CommitteeViewsOptions.remote`; docs/node.md "Following"): per contract and affirmed position,
 * one verified witness of every key fetched so far, and the keys executions needed beyond it (the
 * misses `following.ts` fetches). Also the execution, from witnesses, of a final transaction that
 * touches no followed contract (`executeObserved`).
 */
import { bytesEqual, fromHex, toHex } from "../crypto/hash.js";
import { XshardError } from "../errors.js";
import { describeAbort } from "../exec/describe.js";
import { executeProgram, type ContractHandle } from "../exec/executeTx.js";
import type { Runtime } from "../runtime/index.js";
import type { CommitteeViews } from "../protocols/delayed/committee.js";
import { OUTCOME_CODES, computeValuesRoot } from "../protocols/delayed/containers.js";
import { hasMisses, type PartialState, type RemoteStates, type TxResult } from "../protocols/delayed/local.js";
import type { Stage2Block } from "../protocols/delayed/stage2.js";
import { getContract, getLogItem, getTx, type DelayedState } from "../protocols/delayed/state.js";
import type { WitnessKV } from "../state/index.js";
import type { ContractId, StateView, WriteSet } from "../types.js";

/** What the node holds of one contract's affirmed state read through witnesses. */
interface Entry {
  readonly contract: ContractId;
  readonly position: number;
  readonly root: Uint8Array;
  /** The verified part: one witness of every key fetched so far (undefined before the first). */
  kv: WitnessKV | undefined;
  /** Keys (hex) an execution needed that `kv` does not cover. */
  readonly wanted: Set<string>;
  /** Keys (hex) `kv` was fetched for. */
  readonly keys: Set<string>;
  used: boolean;
}

/** A reader of an entry's proven part (or of a view built on it): misses go to the entry. */
class WitnessedState implements PartialState {
  readonly partial = true;
  missing = false;

  constructor(
    private readonly entry: Entry,
    private readonly kv: WitnessKV | undefined,
  ) {}

  get(key: Uint8Array): Uint8Array | undefined {
    if (this.kv?.covers(key)) return this.kv.get(key);
    this.miss(toHex(key));
    return undefined;
  }

  root(): Uint8Array {
    return this.kv?.root() ?? this.entry.root;
  }

  applyWrites(writes: WriteSet): PartialState {
    // Only ever after `hasMisses` found every written key covered.
    if (!this.kv) throw new Error(`internal: writes to ${this.entry.contract}@${this.entry.position} with no witness`);
    return new WitnessedState(this.entry, this.kv.applyWrites(writes));
  }

  reader(): PartialState {
    return new WitnessedState(this.entry, this.kv);
  }

  require(keys: Iterable<string>): void {
    for (const k of keys) if (!this.kv?.covers(fromHex(k))) this.miss(k);
  }

  private miss(key: string): void {
    this.missing = true;
    this.entry.wanted.add(key);
  }
}

/** One witness to fetch: every key wanted so far of `contract`'s state `position`. */
export interface WitnessWant {
  readonly contract: ContractId;
  readonly position: number;
  readonly keys: Uint8Array[];
}

/** The `RemoteStates` of a node following the committees in `followed`. */
export class WitnessCache implements RemoteStates {
  private readonly entries = new Map<string, Entry>();

  constructor(readonly followed: ReadonlySet<number>) {}

  follows(k: number): boolean {
    return this.followed.has(k);
  }

  read(d: ContractId, pos: number, root: Uint8Array): PartialState {
    const key = `${d}@${pos}`;
    let e = this.entries.get(key);
    if (!e || !bytesEqual(e.root, root)) {
      e = { contract: d, position: pos, root, kv: undefined, wanted: new Set(), keys: new Set(), used: false };
      this.entries.set(key, e);
    }
    e.used = true;
    return new WitnessedState(e, e.kv);
  }

  /** The witnesses to fetch: where keys are wanted, all keys of that state (one witness covers them), at most `maxKeys` each. */
  getWants(maxKeys: number): WitnessWant[] {
    const out: WitnessWant[] = [];
    for (const e of this.entries.values()) {
      if (e.wanted.size === 0) continue;
      const keys = [...new Set([...e.keys, ...e.wanted])].slice(0, maxKeys);
      out.push({ contract: e.contract, position: e.position, keys: keys.map(fromHex) });
    }
    return out;
  }

  /** A witness `fetch` verified against `root` (the node's own affirmed root of that state). */
  supply(contract: ContractId, position: number, root: Uint8Array, kv: WitnessKV, keys: readonly Uint8Array[]): void {
    const e = this.entries.get(`${contract}@${position}`);
    if (!e || !bytesEqual(e.root, root)) return; // the chain moved on (a rollback): asked again if needed
    e.kv = kv;
    for (const k of keys) e.keys.add(toHex(k));
    for (const k of [...e.wanted]) if (kv.covers(fromHex(k))) e.wanted.delete(k);
  }

  /** Drops the states no execution read since the last call (what is needed again is fetched again). */
  prune(): void {
    for (const [k, e] of this.entries) {
      if (!e.used && e.wanted.size === 0) this.entries.delete(k);
      e.used = false;
    }
  }

  /** States held (diagnostics, tests). */
  get size(): number {
    return this.entries.size;
  }
}

/** What `executeObserved` needs of a transaction's record: where its leaves were affirmed. */
export interface ObservedTx {
  readonly seq: number;
  readonly affirmedIn: ReadonlyMap<ContractId, { readonly block: Pick<Stage2Block, "inclusions">; readonly inclusion: number; readonly affirmation: number; readonly leaf: number }>;
}

/**
 * Final transaction `seq`, which touches no contract this node follows, executed from the affirmed
 * states before it (witnesses for the others' contracts): its result, or undefined while keys are
 * missing (recorded for the next fetch). `BAD_RESULT` if it does not give the leaf the chain affirmed.
 */
export function executeObserved(chain: { readonly state: DelayedState; readonly views: CommitteeViews; readonly runtime: Runtime }, cache: WitnessCache, rec: ObservedTx): TxResult | undefined {
  const t = getTx(chain.state, rec.seq);
  const states = new Map<ContractId, StateView>();
  const handles = new Map<ContractId, ContractHandle>();
  for (const [d, pos] of t.positions) {
    const c = getContract(chain.state, d);
    const held = chain.views.isRemote(c.committee) ? undefined : chain.views.frontier(d).snaps[pos];
    const state = held?.kv ?? cache.read(d, pos, getLogItem(c.chainRoots, pos)).reader();
    states.set(d, state);
    handles.set(d, { codeHash: c.codeHash, state, ended: getLogItem(c.endedAt, pos) });
  }
  const program = t.stx.tx.program;
  const ex = executeProgram(program, { runtime: chain.runtime, sender: t.stx.tx.sender, txId: t.txId, gasLimit: t.stx.tx.gasLimit, contract: (id) => handles.get(id) });
  if (hasMisses(states, ex.effects.writes, false)) return undefined;
  const status = ex.run.status === "committed" ? "committed" : "aborted";
  const valuesRoot = computeValuesRoot(ex.run.values);
  for (const loc of rec.affirmedIn.values()) {
    const leaf = loc.block.inclusions[loc.inclusion]?.batch.candidates[loc.affirmation]?.leafValues[loc.leaf];
    if (leaf && (leaf.outcome !== OUTCOME_CODES[status] || !bytesEqual(leaf.valuesRoot, valuesRoot))) {
      throw new XshardError("BAD_RESULT", `transaction ${rec.seq} executed from witnesses does not give the leaf its chain affirmed`, { seq: rec.seq });
    }
  }
  return {
    status,
    at: ex.run.at,
    reason: status === "aborted" ? describeAbort(program, ex.run.at, ex.run.values, ex.run.failures) : null,
    values: ex.run.values,
    valuesRoot,
    created: status === "committed" ? ex.effects.created : [],
  };
}
