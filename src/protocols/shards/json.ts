/**
 * Compact JSON forms of the shared shard state (`ShardsState`), contract states (`Snap`), admitted
 * transactions and attestations, for the baselines' transition vectors (test/vectors/sync/,
 * test/vectors/lock2pc/): bytes as 0x-hex, amounts as decimal strings, transactions as their
 * canonical signed-transaction bytes. Parsing is strict: a missing or unknown field, or a value of
 * the wrong form, is `MALFORMED_JSON` naming where.
 */
import { fromHex, toHex } from "../../crypto/hash.js";
import { XshardError } from "../../errors.js";
import { decodeSignedTx, encodeSignedTx } from "../../program/index.js";
import { MerkleKV } from "../../state/index.js";
import type { Attestation } from "../../chain/index.js";
import type { ContractId } from "../../types.js";
import { computeAdmittedTx, type AdmittedTx, type ContractInfo, type ShardsState, type Snap } from "./world.js";

export type JsonObject = Record<string, unknown>;

/** MALFORMED_JSON: the value at `what` is not of the expected form. */
export function malformed(what: string, expected: string): never {
  throw new XshardError("MALFORMED_JSON", `${what}: expected ${expected}`, { at: what });
}

export function toHexJson(b: Uint8Array): string {
  return `0x${toHex(b)}`;
}

export function parseBytes(x: unknown, what: string, length?: number): Uint8Array {
  if (typeof x !== "string" || !/^0x([0-9a-f]{2})*$/.test(x)) malformed(what, "0x-hex bytes");
  const b = fromHex(x.slice(2));
  if (length !== undefined && b.length !== length) malformed(what, `${length} bytes`);
  return b;
}

export function parseInteger(x: unknown, what: string): number {
  if (typeof x !== "number" || !Number.isSafeInteger(x)) malformed(what, "an integer");
  return x;
}

export function parseBig(x: unknown, what: string): bigint {
  if (typeof x !== "string" || !/^-?\d+$/.test(x)) malformed(what, "a decimal string");
  return BigInt(x);
}

export function parseString(x: unknown, what: string): string {
  if (typeof x !== "string") malformed(what, "a string");
  return x;
}

export function parseBool(x: unknown, what: string): boolean {
  if (typeof x !== "boolean") malformed(what, "true or false");
  return x;
}

export function parseArray(x: unknown, what: string, length?: number): unknown[] {
  if (!Array.isArray(x)) malformed(what, "an array");
  if (length !== undefined && x.length !== length) malformed(what, `an array of ${length}`);
  return x;
}

/** The object's fields, exactly `keys` (no more, no fewer). */
export function parseFields(x: unknown, keys: readonly string[], what: string): JsonObject {
  if (typeof x !== "object" || x === null || Array.isArray(x)) malformed(what, "an object");
  const o = x as JsonObject;
  const extra = Object.keys(o).filter((k) => !keys.includes(k));
  const missing = keys.filter((k) => !(k in o));
  if (extra.length > 0 || missing.length > 0) malformed(what, `exactly the fields [${keys.join(", ")}] (unknown [${extra.join(", ")}], missing [${missing.join(", ")}])`);
  return o;
}

const byKey = <T>([a]: [string, T], [b]: [string, T]): number => (a < b ? -1 : a > b ? 1 : 0);

// ---------------------------------------------------------------- contract states

export function snapsToJson(states: ReadonlyMap<ContractId, Snap>): unknown[] {
  return [...states]
    .sort(byKey)
    .map(([id, s]) => [id, s.ended, [...s.kv.entries()].map(([k, v]) => [toHexJson(k), toHexJson(v)])]);
}

export function snapsFromJson(x: unknown, what: string): Map<ContractId, Snap> {
  const out = new Map<ContractId, Snap>();
  for (const [i, e] of parseArray(x, what).entries()) {
    const [id, ended, entries] = parseArray(e, `${what}[${i}]`, 3);
    const pairs = parseArray(entries, `${what}[${i}].entries`).map((p, j) => {
      const [k, v] = parseArray(p, `${what}[${i}].entries[${j}]`, 2);
      return [parseBytes(k, `${what}[${i}].entries[${j}].key`), parseBytes(v, `${what}[${i}].entries[${j}].value`)] as const;
    });
    out.set(parseString(id, `${what}[${i}].id`), { kv: MerkleKV.fromEntries(pairs), ended: parseBool(ended, `${what}[${i}].ended`) });
  }
  return out;
}

// ---------------------------------------------------------------- the shared state

export function shardsStateToJson(s: ShardsState): JsonObject {
  return {
    contracts: [...s.contracts].sort(byKey).map(([id, c]) => [id, c.shard, c.codeHash]),
    states: snapsToJson(s.states),
    balances: [...s.beacon.balances].sort(byKey).map(([a, v]) => [a, String(v)]),
    nonces: [...s.beacon.nonces].sort(byKey).map(([a, n]) => [a, String(n)]),
  };
}

export function shardsStateFromJson(x: unknown, what = "world"): ShardsState {
  const o = parseFields(x, ["contracts", "states", "balances", "nonces"], what);
  const contracts = new Map<ContractId, ContractInfo>();
  for (const [i, e] of parseArray(o["contracts"], `${what}.contracts`).entries()) {
    const [id, shard, codeHash] = parseArray(e, `${what}.contracts[${i}]`, 3);
    contracts.set(parseString(id, `${what}.contracts[${i}].id`), { shard: parseInteger(shard, `${what}.contracts[${i}].shard`), codeHash: parseString(codeHash, `${what}.contracts[${i}].codeHash`) });
  }
  const accounts = (key: string): Map<string, bigint> =>
    new Map(
      parseArray(o[key], `${what}.${key}`).map((e, i) => {
        const [a, v] = parseArray(e, `${what}.${key}[${i}]`, 2);
        return [parseString(a, `${what}.${key}[${i}].account`), parseBig(v, `${what}.${key}[${i}].value`)] as const;
      }),
    );
  return { contracts, states: snapsFromJson(o["states"], `${what}.states`), beacon: { balances: accounts("balances"), nonces: accounts("nonces") } };
}

// ---------------------------------------------------------------- transactions and attestations

export function admittedTxToJson(t: AdmittedTx): JsonObject {
  return { seq: t.seq, txId: toHexJson(t.txId), footprint: [...t.footprint], stx: toHexJson(encodeSignedTx(t.stx)) };
}

/** The transaction id is recomputed from the bytes and must match the one written. */
export function admittedTxFromJson(x: unknown, what: string): AdmittedTx {
  const o = parseFields(x, ["seq", "txId", "footprint", "stx"], what);
  const footprint = parseArray(o["footprint"], `${what}.footprint`).map((id, i) => parseString(id, `${what}.footprint[${i}]`));
  const t = computeAdmittedTx(decodeSignedTx(parseBytes(o["stx"], `${what}.stx`)), parseInteger(o["seq"], `${what}.seq`), footprint);
  if (toHexJson(t.txId) !== parseString(o["txId"], `${what}.txId`)) malformed(`${what}.txId`, "the id of the transaction's bytes");
  return t;
}

export function attestationToJson(a: Attestation): JsonObject {
  return { message: toHexJson(a.message), signers: [...a.signers], signature: toHexJson(a.signature), weight: a.weight };
}

export function attestationFromJson(x: unknown, what: string): Attestation {
  const o = parseFields(x, ["message", "signers", "signature", "weight"], what);
  return {
    message: parseBytes(o["message"], `${what}.message`),
    signers: parseArray(o["signers"], `${what}.signers`).map((s, i) => parseInteger(s, `${what}.signers[${i}]`)),
    signature: parseBytes(o["signature"], `${what}.signature`),
    weight: parseInteger(o["weight"], `${what}.weight`),
  };
}
