/**
 * Slashing protection (the idea of EIP-3076, as Ethereum clients keep it; issue 13): what each of
 * the node's validators signed, kept in the store so that a restarted node never signs a second,
 * different message of a slot it signed before. One record per validator, duty and slot:
 *
 * - a **vote** of a chain (`stage1Vote`, `stage2Vote`): the header root it attested, or a skip of
 *   that slot (`safety.ts`: one header per slot and chain, never a header and a skip);
 * - a **proposal** of a chain (`stage1Proposal`, `stage2Proposal`): the root of the block proposed.
 *
 * The rule (`checkSigned`): a slot with no record may be signed; one with a record may be signed
 * again only for the same message (a re-broadcast after a restart is no double signature);
 * anything else is refused with `SLASHING_PROTECTION`. Check and record happen in one LMDB write
 * transaction, committed before the caller signs (`NodeStore.recordSigned`): if the write fails,
 * nothing is signed. Records are never pruned (≈ 100 bytes each).
 *
 * Key: validator (4 bytes BE) ‖ duty (1 byte) ‖ slot (8 bytes BE), so one validator's records of
 * one duty are contiguous and in slot order. Value: 1 byte (0 header, 1 skip) ‖ 32-byte root.
 */
import type { Database } from "lmdb";
import { bytesEqual, toHex } from "../../crypto/hash.js";
import { XshardError } from "../../errors.js";
import { checkBlockNumber, checkRoot, toBytes } from "./buckets.js";

/** What a record is for (the byte in its key; never renumbered: on-disk schema). */
export const SIGNED_DUTIES = { stage1Vote: 1, stage2Vote: 2, stage1Proposal: 3, stage2Proposal: 4 } as const;
export type SignedDuty = (typeof SIGNED_DUTIES)[keyof typeof SIGNED_DUTIES];
const DUTY_NAMES: Record<SignedDuty, string> = { 1: "stage1_vote", 2: "stage2_vote", 3: "stage1_proposal", 4: "stage2_proposal" };

/** One signature: validator `validator` signs, for `duty` and `slot`, header root `root` or (`skip`) the skip of the slot. */
export interface SignedEntry {
  readonly validator: number;
  readonly duty: SignedDuty;
  readonly slot: number;
  readonly skip: boolean;
  readonly root: Uint8Array;
}

export function getDutyName(duty: SignedDuty): string {
  return DUTY_NAMES[duty];
}

export function encodeSignedKey(validator: number, duty: SignedDuty, slot: number): Buffer {
  if (!Number.isSafeInteger(validator) || validator < 0 || validator > 0xffffffff) throw new XshardError("STORE_BAD_KEY", `validator index must be a whole number < 2^32, got ${validator}`, { validator });
  if (!(duty in DUTY_NAMES)) throw new XshardError("STORE_BAD_KEY", `unknown signing duty ${String(duty)}`, { duty });
  const b = Buffer.alloc(13);
  b.writeUInt32BE(validator, 0);
  b[4] = duty;
  b.writeBigUInt64BE(BigInt(checkBlockNumber(slot)), 5);
  return b;
}

export function decodeSignedKey(key: Uint8Array): { validator: number; duty: SignedDuty; slot: number } {
  const b = Buffer.from(key.buffer, key.byteOffset, key.byteLength);
  return { validator: b.readUInt32BE(0), duty: b[4] as SignedDuty, slot: Number(b.readBigUInt64BE(5)) };
}

export function encodeSignedValue(e: Pick<SignedEntry, "skip" | "root">): Buffer {
  const b = Buffer.alloc(33);
  b[0] = e.skip ? 1 : 0;
  Buffer.from(checkRoot(e.root, "signed root")).copy(b, 1);
  return b;
}

export function decodeSignedValue(v: Uint8Array): { skip: boolean; root: Uint8Array } {
  if (v.length !== 33 || (v[0] !== 0 && v[0] !== 1)) throw new XshardError("STORE_BAD_VALUE", `a signed record must be 33 bytes (kind, root), got ${v.length}`, { bytes: v.length });
  return { skip: v[0] === 1, root: toBytes(v).slice(1) };
}

const describe = (e: { skip: boolean; root: Uint8Array }): string => (e.skip ? "a skip" : `header 0x${toHex(e.root).slice(0, 16)}`);

/** The rule: undefined when `next` may be signed over what was signed (`prev`), else the typed refusal. */
export function checkSigned(prev: { skip: boolean; root: Uint8Array } | undefined, next: SignedEntry): XshardError | undefined {
  if (prev === undefined || (prev.skip === next.skip && bytesEqual(prev.root, next.root))) return undefined;
  return new XshardError(
    "SLASHING_PROTECTION",
    `validator ${next.validator} signed ${describe(prev)} for ${getDutyName(next.duty)} of slot ${next.slot}: refusing ${describe(next)}`,
    { validator: next.validator, duty: getDutyName(next.duty), slot: next.slot, signed: prev.skip ? "skip" : toHex(prev.root), refused: next.skip ? "skip" : toHex(next.root) },
  );
}

/** The bucket's reads and the check-and-record of one transaction (`NodeStore` runs it inside `transactionSync`). */
export class SignedRecords {
  constructor(private readonly db: Database<Buffer, Buffer>) {}

  get(validator: number, duty: SignedDuty, slot: number): { skip: boolean; root: Uint8Array } | undefined {
    const v = this.db.get(encodeSignedKey(validator, duty, slot));
    return v === undefined ? undefined : decodeSignedValue(v);
  }

  /** `validator`'s records of `duty` for slots ≥ `fromSlot`, in slot order. */
  getFrom(validator: number, duty: SignedDuty, fromSlot: number): SignedEntry[] {
    const out: SignedEntry[] = [];
    const range = this.db.getRange({ start: encodeSignedKey(validator, duty, Math.max(0, fromSlot)), end: encodeSignedKey(validator, duty, Number.MAX_SAFE_INTEGER) });
    for (const { key, value } of range) out.push({ ...decodeSignedKey(key), ...decodeSignedValue(value) });
    return out;
  }

  count(): number {
    return this.db.getCount();
  }

  /** Inside a write transaction: throws the first refusal (nothing written), else writes every entry not yet held. */
  checkAndPut(entries: readonly SignedEntry[]): void {
    const fresh: SignedEntry[] = [];
    for (const e of entries) {
      const earlier = fresh.find((f) => f.validator === e.validator && f.duty === e.duty && f.slot === e.slot);
      const refusal = checkSigned(earlier ?? this.get(e.validator, e.duty, e.slot), e);
      if (refusal) throw refusal;
      if (!earlier) fresh.push(e);
    }
    // (An entry already held is written again, unchanged: callers read first to skip the commit.)
    for (const e of fresh) this.db.putSync(encodeSignedKey(e.validator, e.duty, e.slot), encodeSignedValue(e));
  }
}
