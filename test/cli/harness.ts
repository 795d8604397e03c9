/** Running the CLI in-process with stdout and stderr captured (for tests under test/cli/). */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { vi } from "vitest";
import { main } from "../../src/cli/main.js";

export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs `xshard argv…` in this process; stderr is not a terminal, so no bar is drawn. */
export async function runCli(argv: string[]): Promise<CliRun> {
  let out = "";
  let err = "";
  const w = vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  const l = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void (out += a.join(" ") + "\n"));
  try {
    const code = await main(argv);
    return { code, out, err };
  } finally {
    w.mockRestore();
    l.mockRestore();
  }
}

export const tmp = (): string => mkdtempSync(join(tmpdir(), "xshard-cli-"));

/** A run that takes a fraction of a second. */
export const TINY = ["--slots", "1", "--rate", "2", "--accounts", "4", "--validators", "8", "--committee-size", "4", "--no-signatures", "--drain", "4"];

/** The one error line of a failed run (asserts there is exactly one, with no stack trace). */
export function oneLine(r: CliRun): string {
  const lines = r.err.split("\n").filter((l) => l !== "");
  if (lines.length !== 1) throw new Error(`expected one stderr line, got ${lines.length}: ${JSON.stringify(r.err)}`);
  if (/\n\s+at /.test(r.err)) throw new Error(`stack trace on stderr: ${r.err}`);
  return lines[0] as string;
}
