/**
 * Merkle witnesses by request/response (`/xshard/<network>/req/witnesses/1`, issue 13): a node
 * asks a peer for some keys of a contract's state at a position of its queue whose root the
 * asking node's own chain affirmed; the peer answers with the keys' buckets and one multiproof
 * (`MerkleKV.prove`, `encodeWitness`), which the asking node checks against the root from its own
 * chain (`verifyWitness`) — never against anything the peer says. A witness that does not prove
 * against that root, is malformed, or does not cover a requested key is `BAD_WITNESS` and the peer
 * is scored down (`Network.reportBadResponse`, rule `BAD_PROOF` / `MALFORMED_WITNESS` /
 * `MISSING_WITNESS`). A peer that does not hold the state answers with an error (no blame); the
 * next peer is asked.
 *
 * Served from the states the node's committee views hold (`Frontier.snaps`, kept for every
 * position: nodes run with `keepHistory`) — only of the contracts the node follows. A node proves
 * from its own state where it holds it (`proveLocal`); a node that does not follow a contract
 * fetches, to execute it (`following.ts`) or to answer `GET /v1/state`.
 */
import { ByteListType, ByteVectorType, ContainerType, ListCompositeType, UintNumberType, type ValueOf } from "@chainsafe/ssz";
import { bytesEqual, toHex } from "../crypto/hash.js";
import { XshardError, isXshardError } from "../errors.js";
import { encodeContractId } from "../protocols/delayed/containers.js";
import { getAffirmedIdx, getLogItem } from "../protocols/delayed/state.js";
import { decodeWitness, encodeWitness, MAX_KEY_BYTES, verifyWitness, type StateWitness } from "../state/index.js";
import type { ContractId } from "../types.js";
import type { NodeChain } from "./chain.js";
import { computeProtocolId, DEFAULT_REQRESP_LIMITS } from "./net/reqresp.js";
import type { Network, PeerIdStr } from "./net/types.js";

/** Most keys one request may name. */
export const MAX_WITNESS_KEYS = 1024;

export const WitnessRequest = new ContainerType({
  contract: new ByteListType(64),
  /** State `position` of the contract: the state after its first `position` queued transactions. */
  position: new UintNumberType(8),
  /** The root the asking node trusts for that state (the peer refuses if its own differs). */
  root: new ByteVectorType(32),
  keys: new ListCompositeType(new ByteListType(MAX_KEY_BYTES), MAX_WITNESS_KEYS),
});
export type WitnessRequestValue = ValueOf<typeof WitnessRequest>;

/** A verified answer: each requested key's value (undefined: proven absent) at a trusted root. */
export interface VerifiedState {
  readonly contract: ContractId;
  readonly position: number;
  readonly root: Uint8Array;
  readonly keys: readonly Uint8Array[];
  readonly values: readonly (Uint8Array | undefined)[];
  /** The peer that served it, or "local". */
  readonly from: PeerIdStr | "local";
  readonly witness: StateWitness;
}

/** What the service needs of its node. */
export interface WitnessHost {
  readonly chain: NodeChain;
  readonly netId: string;
  readonly o: { readonly network: Network };
  log(line: string): void;
}

/** The root this node's chain affirmed for `contract`'s state `position` (default: the latest affirmed). */
export function getTrustedRoot(chain: NodeChain, contract: ContractId, position?: number): { position: number; root: Uint8Array } {
  const rec = chain.state.contracts.get(contract);
  if (!rec) throw new XshardError("WITNESS_UNKNOWN_CONTRACT", `contract ${contract} is not live on this chain`, { contract });
  const affirmed = getAffirmedIdx(rec);
  const at = position ?? affirmed;
  if (!Number.isInteger(at) || at < 0 || at > affirmed) throw new XshardError("WITNESS_NOT_AFFIRMED", `state ${at} of ${contract} is not affirmed on this chain (affirmed: ${affirmed})`, { contract, position: at, affirmed });
  return { position: at, root: getLogItem(rec.chainRoots, at) };
}

function checkKeys(keys: readonly Uint8Array[]): void {
  if (keys.length < 1 || keys.length > MAX_WITNESS_KEYS) throw new XshardError("BAD_WITNESS_REQUEST", `a witness request names 1–${MAX_WITNESS_KEYS} keys`, { keys: keys.length });
  for (const k of keys) if (k.length < 1 || k.length > MAX_KEY_BYTES) throw new XshardError("BAD_WITNESS_REQUEST", `a key is 1–${MAX_KEY_BYTES} bytes`, { key: toHex(k) });
}

/** Checks `witness` against the trusted `root` and reads every key (throws `BAD_PROOF` / `MALFORMED_WITNESS` / `MISSING_WITNESS`). */
export function readWitness(root: Uint8Array, keys: readonly Uint8Array[], witness: StateWitness): (Uint8Array | undefined)[] {
  const view = verifyWitness(root, witness);
  return keys.map((k) => view.get(k));
}

export class WitnessService {
  constructor(private readonly node: WitnessHost) {}

  get protocol(): string {
    return computeProtocolId(this.node.netId, "witnesses");
  }

  async serve(): Promise<void> {
    await this.node.o.network.handle(this.protocol, (req) => this.answer(req), DEFAULT_REQRESP_LIMITS.witnesses);
  }

  /** The witness this node holds for `contract`'s state `position` with root `root` (throws a typed error if it holds none). */
  prove(contract: ContractId, position: number, root: Uint8Array, keys: readonly Uint8Array[]): StateWitness {
    checkKeys(keys);
    const views = this.node.chain.views;
    const snap = views.frontiers.has(contract) ? views.frontier(contract).snaps[position] : undefined;
    if (!snap) throw new XshardError("WITNESS_UNAVAILABLE", `state ${position} of ${contract} is not held here`, { contract, position });
    if (!bytesEqual(snap.kv.root(), root)) throw new XshardError("WITNESS_ROOT_MISMATCH", `state ${position} of ${contract} here has another root`, { contract, position });
    return snap.kv.prove(keys);
  }

  private answer(req: Uint8Array): Uint8Array {
    let r: WitnessRequestValue;
    let contract: ContractId;
    try {
      r = WitnessRequest.deserialize(req);
      contract = new TextDecoder("utf-8", { fatal: true }).decode(r.contract);
    } catch {
      throw new XshardError("BAD_WITNESS_REQUEST", "malformed witness request", {});
    }
    return encodeWitness(this.prove(contract, r.position, r.root, r.keys));
  }

  /** Proves from this node's own state, checked like a peer's answer (a full node holds every contract). */
  proveLocal(contract: ContractId, keys: readonly Uint8Array[], position?: number): VerifiedState {
    const t = getTrustedRoot(this.node.chain, contract, position);
    const witness = this.prove(contract, t.position, t.root, keys);
    return { contract, ...t, keys, values: readWitness(t.root, keys, witness), from: "local", witness };
  }

  /**
   * `keys` of `contract`'s affirmed state `position` (default: the latest), verified: from this
   * node's own views if it holds that state, else from its peers (`fetch`). What an API route
   * (e.g. `GET /v1/state/:contract?keys=`) would answer with.
   */
  async get(contract: ContractId, keys: readonly Uint8Array[], opts: { position?: number } = {}): Promise<VerifiedState> {
    try {
      return this.proveLocal(contract, keys, opts.position);
    } catch (e) {
      if (!(isXshardError(e) && (e.code === "WITNESS_UNAVAILABLE" || e.code === "WITNESS_ROOT_MISMATCH"))) throw e;
    }
    return this.fetch(contract, keys, opts);
  }

  /**
   * Asks `peers` (default: every connected peer) in turn for `keys` of `contract`'s affirmed state
   * `position` (default: the latest) and returns the first answer that proves against this node's
   * own root. Throws `WITNESS_UNKNOWN_CONTRACT` / `WITNESS_NOT_AFFIRMED` / `BAD_WITNESS_REQUEST`
   * before asking anyone; `BAD_WITNESS` if the last peer asked answered with an invalid witness;
   * `WITNESS_UNAVAILABLE` if no peer served one.
   */
  async fetch(contract: ContractId, keys: readonly Uint8Array[], opts: { position?: number; peers?: readonly PeerIdStr[] } = {}): Promise<VerifiedState> {
    checkKeys(keys);
    const t = getTrustedRoot(this.node.chain, contract, opts.position);
    const net = this.node.o.network;
    const request = WitnessRequest.serialize({ contract: encodeContractId(contract), position: t.position, root: t.root, keys: [...keys] });
    let last: XshardError | undefined;
    for (const peer of opts.peers ?? net.getPeers()) {
      let bytes: Uint8Array;
      try {
        bytes = await net.request(peer, this.protocol, request, DEFAULT_REQRESP_LIMITS.witnesses);
      } catch (e) {
        if (!isXshardError(e)) throw e;
        this.node.log(`witness ${contract}@${t.position} from ${peer}: ${e.message}`);
        last = e;
        continue;
      }
      try {
        const witness = decodeWitness(bytes);
        return { contract, ...t, keys, values: readWitness(t.root, keys, witness), from: peer, witness };
      } catch (e) {
        if (!isXshardError(e)) throw e;
        net.reportBadResponse(peer, this.protocol, e.code);
        this.node.log(`witness ${contract}@${t.position} from ${peer} refused: ${e.code} ${e.message}`);
        last = new XshardError("BAD_WITNESS", `${peer} answered with an invalid witness for ${contract}@${t.position}: ${e.code}`, { peer, contract, position: t.position, rule: e.code });
      }
    }
    if (last?.code === "BAD_WITNESS") throw last;
    throw new XshardError("WITNESS_UNAVAILABLE", `no peer served a witness for ${contract}@${t.position}${last ? ` (last: ${last.message})` : ""}`, { contract, position: t.position });
  }
}
