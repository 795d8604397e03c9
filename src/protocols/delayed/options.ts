/**
 * The two-stage chain's own options (`RunConfig.options`), parsed and checked once per run.
 * Keys the chain does not know are left alone: `compare` hands the same options to every protocol.
 *
 * | key | values | default |
 * |---|---|---|
 * | `stage2Mode` | `strict` (the seed's rule) or `conditional` | `conditional` |
 * | `assignment` | `shuffle` (seeded, fixed) or `adaptive` (re-assigned at epoch boundaries) | `shuffle` |
 * | `epochSlots` | slots per assignment epoch | 8 |
 * | `loadBound` | most live contracts per committee, as a multiple of contracts / committees | 1.25 |
 * | `wrongSigners` | `committee:fraction[:fromSlot]`, several joined by `+` | none |
 * | `withhold` | Stage-1 slots whose proposer withholds the block's data, joined by `,` or `+` | none |
 * | `stage1Bytes` | most bytes of encoded transactions in a Stage-1 block (`budget.ts`) | 1048576 |
 */
import { XshardError } from "../../errors.js";
import type { Stage2Mode } from "./rules.js";

export const STAGE2_MODES = ["strict", "conditional"] as const;
export const ASSIGNMENTS = ["shuffle", "adaptive"] as const;
export type Assignment = (typeof ASSIGNMENTS)[number];

/** A fraction of one committee's stake signs wrong post-roots from `fromSlot` on. */
export interface WrongSignerFault {
  readonly committee: number;
  readonly fraction: number;
  readonly fromSlot: number;
}

export interface DelayedOptions {
  readonly stage2Mode: Stage2Mode;
  readonly assignment: Assignment;
  readonly epochSlots: number;
  readonly loadBound: number;
  readonly wrongSigners: readonly WrongSignerFault[];
  readonly withhold: ReadonlySet<number>;
  readonly stage1Bytes: number;
}

export const DEFAULT_EPOCH_SLOTS = 8;
export const DEFAULT_LOAD_BOUND = 1.25;
/** Default byte limit of a Stage-1 block: 1 MiB of encoded signed transactions. */
export const DEFAULT_STAGE1_BYTES = 1 << 20;

function bad(name: string, message: string, value: unknown): never {
  throw new XshardError("BAD_PARAM", `${name}: ${message}, got '${String(value)}'`, { name, value });
}

function getEnum<T extends string>(o: Readonly<Record<string, number | string>>, name: string, values: readonly T[], fallback: T): T {
  const v = o[name];
  if (v === undefined) return fallback;
  if (!(values as readonly unknown[]).includes(v)) bad(name, `must be one of ${values.join("|")}`, v);
  return v as T;
}

function getNumber(o: Readonly<Record<string, number | string>>, name: string, fallback: number, isOk: (n: number) => boolean, what: string): number {
  const v = o[name];
  if (v === undefined) return fallback;
  const n = typeof v === "number" ? v : v.trim() === "" ? NaN : Number(v);
  if (!Number.isFinite(n) || !isOk(n)) bad(name, `must be ${what}`, v);
  return n;
}

/** `committee:fraction[:fromSlot]`, several joined by `+` (`,` separates sweep values). */
export function parseWrongSigners(text: string, committees: number): WrongSignerFault[] {
  if (text.trim() === "") return [];
  const seen = new Set<number>();
  return text.split("+").map((part) => {
    const fields = part.trim().split(":");
    if (fields.length < 2 || fields.length > 3) bad("wrongSigners", "must look like committee:fraction[:fromSlot]", part);
    const [c, f, from] = fields.map(Number) as [number, number, number | undefined];
    if (!Number.isInteger(c) || c < 0 || c >= committees) bad("wrongSigners", `committee must be an integer in [0, ${committees - 1}]`, part);
    if (!(f > 0 && f <= 1)) bad("wrongSigners", "fraction must be in (0, 1]", part);
    if (from !== undefined && (!Number.isInteger(from) || from < 0)) bad("wrongSigners", "fromSlot must be a non-negative integer", part);
    if (seen.has(c)) bad("wrongSigners", "names a committee twice", part);
    seen.add(c);
    return { committee: c, fraction: f, fromSlot: from ?? 0 };
  });
}

/** Slots joined by `,` or `+`. */
export function parseWithhold(text: string): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(/[,+]/)) {
    if (part.trim() === "") continue;
    const n = Number(part);
    if (!Number.isInteger(n) || n < 0) bad("withhold", "must list non-negative slot numbers", text);
    out.add(n);
  }
  return out;
}

/**
 * Reads the chain's options. `fixedMode` (the `delayed:strict` / `delayed:conditional` names) wins
 * over `stage2Mode`; throws BAD_PARAM naming the option for a bad value.
 */
export function parseDelayedOptions(o: Readonly<Record<string, number | string>>, committees: number, fixedMode?: Stage2Mode): DelayedOptions {
  const mode = getEnum(o, "stage2Mode", STAGE2_MODES, "conditional");
  return {
    stage2Mode: fixedMode ?? mode,
    assignment: getEnum(o, "assignment", ASSIGNMENTS, "shuffle"),
    epochSlots: getNumber(o, "epochSlots", DEFAULT_EPOCH_SLOTS, (n) => Number.isInteger(n) && n >= 1 && n <= 100_000, "an integer in [1, 100000]"),
    loadBound: getNumber(o, "loadBound", DEFAULT_LOAD_BOUND, (n) => n >= 1 && n <= 1000, "a number in [1, 1000]"),
    wrongSigners: parseWrongSigners(String(o.wrongSigners ?? ""), committees),
    withhold: parseWithhold(String(o.withhold ?? "")),
    stage1Bytes: getNumber(o, "stage1Bytes", DEFAULT_STAGE1_BYTES, (n) => Number.isInteger(n) && n >= 1024 && n <= 1 << 30, "an integer in [1024, 1073741824]"),
  };
}
