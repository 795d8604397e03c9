/**
 * Numbers written by people (command-line flags, network specs, swept values, scenario strings):
 * only plain decimal text is a number. `""`, `" "`, `"0x10"`, `"Infinity"`, `"NaN"`, `"1_000"` and
 * `true` are not (JavaScript's `Number()` would read them as 0, 16, ∞, NaN, NaN and 1).
 */

/** An optional minus sign and decimal digits, no leading zeros: `0`, `12`, `-3`. */
const INTEGER = /^-?(0|[1-9][0-9]*)$/;
/** A decimal number with optional fraction and exponent: `0.25`, `.5`, `2`, `1e-3`. */
const DECIMAL = /^-?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$/;

/** The integer a canonical decimal text denotes (a safe integer), else undefined. */
export function parseDecimalInteger(text: string): number | undefined {
  if (!INTEGER.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** The finite number a decimal text denotes, else undefined. */
export function parseDecimalNumber(text: string): number | undefined {
  if (!DECIMAL.test(text)) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** A value given as a JSON number or as decimal text → a finite number, else undefined. */
export function toFiniteNumber(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (typeof v === "string") return parseDecimalNumber(v);
  return undefined;
}
