/**
 * Number formatting shared by the terminal table and the HTML report. Locale-independent, so the
 * same numbers print the same everywhere (the CSV keeps full precision and does not use this).
 */

/** Printed where a figure is missing or `null`. */
export const MISSING = "—";

/** Drop trailing zeros of a fixed-point string ("1.50" → "1.5", "2.00" → "2"). */
function trimZeros(fixed: string): string {
  return fixed.includes(".") ? fixed.replace(/\.?0+$/, "") : fixed;
}

/**
 * A number for people: integers as they are, others with 3 decimals below 1, 2 below 100 and
 * 1 above (trailing zeros dropped); `null` as `—`.
 */
export function formatNumber(x: number | null): string {
  if (x === null) return MISSING;
  if (Number.isInteger(x) || !Number.isFinite(x)) return String(x);
  const abs = Math.abs(x);
  const formatted = trimZeros(x.toFixed(abs >= 100 ? 1 : abs >= 1 ? 2 : 3));
  return formatted === "0" || formatted === "-0" ? x.toPrecision(2) : formatted;
}

/** A protocol figure (number, per-shard array or `null`) for people. */
export function formatFigure(value: number | readonly number[] | null | undefined): string {
  if (value === undefined) return MISSING;
  if (value === null || typeof value === "number") return formatNumber(value);
  return `[${value.map(formatNumber).join(", ")}]`;
}

/** `part` as a percentage of `whole` with one decimal ("12.5%"); empty when `whole` is 0. */
export function formatShare(part: number, whole: number): string {
  return whole === 0 ? "" : `${trimZeros(((100 * part) / whole).toFixed(1))}%`;
}
