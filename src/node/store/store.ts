/**
 * The node's embedded store on LMDB (`lmdb`): blocks of both chains by number and by root,
 * finalized roots, contract state snapshots by root, transaction results by id, and a meta
 * record of heads. Every write goes through `processBatch`: one LMDB write transaction, so a
 * block and all its effects are on disk together or not at all, whatever moment the process
 * dies at (LMDB's copy-on-write pages and meta-page commit; see test/node/store.crash.test.ts).
 * Reads see the last committed batch.
 */
import { open, type Database, type RootDatabase } from "lmdb";
import { XshardError } from "../../errors.js";
import {
  BUCKETS,
  MIGRATES_FROM,
  SCHEMA_VERSION,
  checkBlockNumber,
  checkId,
  checkRoot,
  checkValue,
  decodeNumberKey,
  encodeNumberKey,
  toBytes,
  toKey,
  type BlockRef,
  type ChainName,
  type StoreHeads,
} from "./buckets.js";
import { SignedRecords, type SignedEntry } from "./protection.js";

export interface NodeStoreOptions {
  /** Directory of the LMDB environment (created if absent). */
  readonly path: string;
  /** Open without writing (a second process may read while the node writes). */
  readonly readOnly?: boolean;
}

type Bytes = Database<Buffer, Buffer>;

interface ChainBuckets {
  readonly blocks: Bytes; // number key → block bytes
  readonly roots: Bytes; // root → number key
  readonly finalized: Bytes; // number key → root
}

/** A block with everything it brought, written in one batch. */
export interface BlockWithEffects {
  readonly chain: ChainName;
  readonly block: BlockRef & { readonly bytes: Uint8Array };
  /** Contract state snapshots reached by this block, by state root. */
  readonly states?: readonly { readonly root: Uint8Array; readonly bytes: Uint8Array }[];
  /** Results / receipts of transactions this block included or finalized. */
  readonly results?: readonly { readonly id: Uint8Array; readonly bytes: Uint8Array }[];
  /** Blocks this block finalized (on its own chain). */
  readonly finalized?: readonly BlockRef[];
  /** New heads after this block (merged into the meta record). */
  readonly heads?: StoreHeads;
  /** The chain snapshot this block reached (replaces the stored one; `src/node/snapshot.ts`). */
  readonly snapshot?: Uint8Array;
}

/** The write operations of one batch; valid only inside `processBatch`'s callback. */
export interface StoreBatch {
  putBlock(chain: ChainName, block: BlockRef, bytes: Uint8Array): void;
  putFinalized(chain: ChainName, block: BlockRef): void;
  putState(root: Uint8Array, bytes: Uint8Array): void;
  putTxResult(id: Uint8Array, bytes: Uint8Array): void;
  /** Merges `heads` into the meta record. */
  putHeads(heads: StoreHeads): void;
  /** Removes a block from both indexes (e.g. a pruned fork). */
  deleteBlock(chain: ChainName, block: BlockRef): void;
  /** Replaces the stored chain snapshot (one is kept: the latest). */
  putSnapshot(bytes: Uint8Array): void;
}

const SNAPSHOT_KEY = Buffer.from("latest");

export class NodeStore {
  private readonly root: RootDatabase;
  private readonly chains: Record<ChainName, ChainBuckets>;
  private readonly states: Bytes;
  private readonly txResults: Bytes;
  private readonly snapshot: Bytes;
  private readonly meta: Database<unknown, string>;
  /** What the node's validators signed (slashing protection, `protection.ts`); reads only — writes go through `recordSigned`. */
  readonly signed: SignedRecords;
  private closed = false;

  private constructor(root: RootDatabase) {
    this.root = root;
    const bytes = (name: string) => root.openDB<Buffer, Buffer>({ name, encoding: "binary", keyEncoding: "binary" });
    this.chains = {
      stage1: { blocks: bytes(BUCKETS.stage1Blocks), roots: bytes(BUCKETS.stage1Roots), finalized: bytes(BUCKETS.stage1Finalized) },
      stage2: { blocks: bytes(BUCKETS.stage2Blocks), roots: bytes(BUCKETS.stage2Roots), finalized: bytes(BUCKETS.stage2Finalized) },
    };
    this.states = bytes(BUCKETS.states);
    this.txResults = bytes(BUCKETS.txResults);
    this.snapshot = bytes(BUCKETS.snapshot);
    this.signed = new SignedRecords(bytes(BUCKETS.signed));
    this.meta = root.openDB<unknown, string>({ name: BUCKETS.meta, encoding: "msgpack" });
  }

  /** Opens (or creates) a store. Throws `STORE_OPEN_FAILED` or `STORE_SCHEMA_MISMATCH`. */
  static open(opts: NodeStoreOptions): NodeStore {
    let root: RootDatabase;
    try {
      root = open({ path: opts.path, noSubdir: false, maxDbs: 16, readOnly: opts.readOnly ?? false });
    } catch (e) {
      throw new XshardError("STORE_OPEN_FAILED", `cannot open store at ${opts.path}: ${(e as Error).message}`, { path: opts.path }, { cause: e });
    }
    const store = new NodeStore(root);
    const version = store.meta.get("schema");
    if ((version === undefined || MIGRATES_FROM.includes(version as number)) && opts.readOnly !== true) {
      root.transactionSync(() => store.meta.putSync("schema", SCHEMA_VERSION));
    } else if (version !== undefined && version !== SCHEMA_VERSION && !(opts.readOnly === true && MIGRATES_FROM.includes(version as number))) {
      root.close();
      throw new XshardError("STORE_SCHEMA_MISMATCH", `store at ${opts.path} has schema ${String(version)}, this node reads ${SCHEMA_VERSION}`, {
        path: opts.path,
        found: version,
        expected: SCHEMA_VERSION,
      });
    }
    return store;
  }

  /**
   * Runs `write` in one LMDB write transaction. Everything it puts is committed together when it
   * returns; if it throws, nothing is written and the error is rethrown.
   */
  processBatch<T>(write: (batch: StoreBatch) => T): T {
    this.checkOpen();
    const batch: StoreBatch = {
      putBlock: (chain, block, bytes) => {
        const c = this.chains[chain];
        const n = encodeNumberKey(block.number);
        const root = toKey(checkRoot(block.root, "block root"));
        c.blocks.putSync(n, toKey(checkValue(bytes, "block bytes")));
        c.roots.putSync(root, n);
      },
      putFinalized: (chain, block) => {
        this.chains[chain].finalized.putSync(encodeNumberKey(block.number), toKey(checkRoot(block.root, "finalized root")));
      },
      putState: (root, bytes) => {
        this.states.putSync(toKey(checkRoot(root, "state root")), toKey(checkValue(bytes, "state bytes")));
      },
      putTxResult: (id, bytes) => {
        this.txResults.putSync(toKey(checkId(id)), toKey(checkValue(bytes, "result bytes")));
      },
      putHeads: (heads) => {
        const merged = { ...this.getHeads(), ...heads };
        for (const ref of Object.values(merged) as BlockRef[]) {
          checkBlockNumber(ref.number);
          checkRoot(ref.root, "head root");
        }
        this.meta.putSync("heads", encodeHeads(merged));
      },
      deleteBlock: (chain, block) => {
        const c = this.chains[chain];
        const root = toKey(checkRoot(block.root, "block root"));
        const n = encodeNumberKey(block.number);
        const indexed = c.roots.get(root);
        if (indexed !== undefined && indexed.equals(n)) c.roots.removeSync(root);
        c.blocks.removeSync(n);
      },
      putSnapshot: (bytes) => {
        this.snapshot.putSync(SNAPSHOT_KEY, toKey(checkValue(bytes, "snapshot bytes")));
      },
    };
    return this.root.transactionSync(() => write(batch));
  }

  /**
   * Slashing protection: checks `entries` against what was signed (`checkSigned`) and records them,
   * in one write transaction committed (to disk) before this returns — call it before signing, and
   * sign only if it returns. Throws `SLASHING_PROTECTION` (nothing recorded) or the write's error.
   */
  recordSigned(entries: readonly SignedEntry[]): void {
    this.checkOpen();
    this.root.transactionSync(() => this.signed.checkAndPut(entries));
  }

  /** Writes a block with its states, results, finalized roots and heads in one batch. */
  processBlockWithEffects(b: BlockWithEffects): void {
    this.processBatch((batch) => {
      batch.putBlock(b.chain, b.block, b.block.bytes);
      for (const s of b.states ?? []) batch.putState(s.root, s.bytes);
      for (const r of b.results ?? []) batch.putTxResult(r.id, r.bytes);
      for (const f of b.finalized ?? []) batch.putFinalized(b.chain, f);
      if (b.heads !== undefined) batch.putHeads(b.heads);
      if (b.snapshot !== undefined) batch.putSnapshot(b.snapshot);
    });
  }

  getBlockByNumber(chain: ChainName, number: number): Uint8Array | undefined {
    const v = this.chains[chain].blocks.get(encodeNumberKey(number));
    return v === undefined ? undefined : toBytes(v);
  }

  getBlockNumberByRoot(chain: ChainName, root: Uint8Array): number | undefined {
    const v = this.chains[chain].roots.get(toKey(checkRoot(root)));
    return v === undefined ? undefined : decodeNumberKey(v);
  }

  getBlockByRoot(chain: ChainName, root: Uint8Array): Uint8Array | undefined {
    const n = this.getBlockNumberByRoot(chain, root);
    return n === undefined ? undefined : this.getBlockByNumber(chain, n);
  }

  /** Blocks with `from ≤ number < to`, in order (for blocks-by-range requests). */
  getBlockRange(chain: ChainName, from: number, to: number): { number: number; bytes: Uint8Array }[] {
    const out: { number: number; bytes: Uint8Array }[] = [];
    for (const { key, value } of this.chains[chain].blocks.getRange({ start: encodeNumberKey(from), end: encodeNumberKey(to) })) {
      out.push({ number: decodeNumberKey(key), bytes: toBytes(value) });
    }
    return out;
  }

  getFinalizedRoot(chain: ChainName, number: number): Uint8Array | undefined {
    const v = this.chains[chain].finalized.get(encodeNumberKey(number));
    return v === undefined ? undefined : toBytes(v);
  }

  getState(root: Uint8Array): Uint8Array | undefined {
    const v = this.states.get(toKey(checkRoot(root)));
    return v === undefined ? undefined : toBytes(v);
  }

  getTxResult(id: Uint8Array): Uint8Array | undefined {
    const v = this.txResults.get(toKey(checkId(id)));
    return v === undefined ? undefined : toBytes(v);
  }

  /** The latest chain snapshot (undefined if none was written). */
  getSnapshot(): Uint8Array | undefined {
    const v = this.snapshot.get(SNAPSHOT_KEY);
    return v === undefined ? undefined : toBytes(v);
  }

  getHeads(): StoreHeads {
    return decodeHeads(this.meta.get("heads"));
  }

  /** Number of entries per bucket (diagnostics and tests). */
  getCounts(): Record<string, number> {
    return {
      stage1Blocks: this.chains.stage1.blocks.getCount(),
      stage2Blocks: this.chains.stage2.blocks.getCount(),
      stage1Finalized: this.chains.stage1.finalized.getCount(),
      stage2Finalized: this.chains.stage2.finalized.getCount(),
      states: this.states.getCount(),
      txResults: this.txResults.getCount(),
      signed: this.signed.count(),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.root.close();
  }

  private checkOpen(): void {
    if (this.closed) throw new XshardError("STORE_CLOSED", "the store is closed", {});
  }
}

type StoredHeads = Partial<Record<keyof StoreHeads, { number: number; root: Uint8Array }>>;

function encodeHeads(h: StoreHeads): StoredHeads {
  const out: StoredHeads = {};
  for (const [k, ref] of Object.entries(h) as [keyof StoreHeads, BlockRef | undefined][]) {
    if (ref !== undefined) out[k] = { number: ref.number, root: toKey(ref.root) };
  }
  return out;
}

function decodeHeads(v: unknown): StoreHeads {
  if (v === undefined || v === null) return {};
  const out: Record<string, BlockRef> = {};
  for (const [k, ref] of Object.entries(v as StoredHeads)) {
    if (ref !== undefined) out[k] = { number: ref.number, root: toBytes(ref.root) };
  }
  return out as StoreHeads;
}
