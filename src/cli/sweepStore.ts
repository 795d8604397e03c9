/**
 * Per-point results of a sweep in its out dir: `points/<index>.json`, written as each point
 * finishes, so an interrupted sweep keeps what it did and a new run with the same grid, seeds
 * and code skips those points (matched by id, so a grown grid keeps its finished points).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { SweepRow } from "../report/model.js";
import type { SweepPoint } from "./sweepGrid.js";

export const POINTS_DIR = "points";
const SCHEMA = "xshard.sweepPoint/1";

/** What one grid point gave: every protocol's figures, with the point's identity. */
export interface SweepPointRecord {
  readonly schema: typeof SCHEMA;
  readonly index: number;
  readonly id: string;
  readonly codeVersion: string;
  readonly params: Record<string, number | string>;
  readonly seed: string;
  readonly protocols: readonly string[];
  readonly rows: SweepRow[];
}

export function getPointFileName(index: number): string {
  return `${String(index).padStart(6, "0")}.json`;
}

/** The record of a finished point, as text (what is written) and as read back. */
export function computePointRecord(point: SweepPoint, codeVersion: string, rows: readonly SweepRow[]): { text: string; record: SweepPointRecord } {
  const record: SweepPointRecord = {
    schema: SCHEMA,
    index: point.index,
    id: point.id,
    codeVersion,
    params: point.params,
    seed: point.seed,
    protocols: point.task.protocols,
    rows: [...rows],
  };
  const text = JSON.stringify(record, null, 2) + "\n";
  // Read back from the text, so rows are the same whether they came from a thread or over Redis.
  return { text, record: JSON.parse(text) as SweepPointRecord };
}

/** Records already in `dir/points/`, by id (unreadable or foreign files are ignored: those points run again). */
export function getStoredPoints(dir: string): Map<string, SweepPointRecord> {
  const found = new Map<string, SweepPointRecord>();
  const pointsDir = join(dir, POINTS_DIR);
  if (!existsSync(pointsDir)) return found;
  for (const name of readdirSync(pointsDir).sort()) {
    if (!name.endsWith(".json")) continue;
    try {
      const r = JSON.parse(readFileSync(join(pointsDir, name), "utf8")) as SweepPointRecord;
      if (r.schema === SCHEMA && typeof r.id === "string" && Array.isArray(r.rows)) found.set(r.id, r);
    } catch {
      // A file cut short by a killed sweep: run its point again.
    }
  }
  return found;
}

export function processWritePoint(dir: string, index: number, text: string): void {
  mkdirSync(join(dir, POINTS_DIR), { recursive: true });
  writeFileSync(join(dir, POINTS_DIR, getPointFileName(index)), text);
}

/** Removes point files that are not points of this sweep (left by an earlier, different grid). */
export function processPrunePoints(dir: string, total: number): void {
  const pointsDir = join(dir, POINTS_DIR);
  if (!existsSync(pointsDir)) return;
  const keep = new Set(Array.from({ length: total }, (_, i) => getPointFileName(i)));
  for (const name of readdirSync(pointsDir)) if (!keep.has(name)) rmSync(join(pointsDir, name), { force: true });
}
