/**
 * kill -9: a child process writes one batch per block in a loop and is killed with SIGKILL at
 * an arbitrary moment, three times in a row on the same store. After each kill the store reopens
 * with every batch the child reported as committed intact, the head batch complete, and nothing
 * of any later batch (no partial batch).
 */
import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NodeStore } from "../../src/node/store/index.js";
import { expectedBatch, RESULTS_PER_BLOCK } from "./fixtures/storeBatch.js";

const WRITER = join(import.meta.dirname, "fixtures", "storeWriter.ts");

/** Runs the writer until it has reported `atLeast` more commits, then SIGKILLs it; returns the last reported number. */
function runAndKill(path: string, atLeast: number, extraMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", WRITER, path], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    let seen = 0;
    let killing = false;
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      seen = out.split("\n").length - 1;
      if (!killing && seen >= atLeast) {
        killing = true;
        // Kill a little later, at whatever point of a batch the writer is in.
        setTimeout(() => child.kill("SIGKILL"), extraMs);
      }
    });
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("exit", (code, signal) => {
      if (signal !== "SIGKILL") return reject(new Error(`writer exited with ${code}: ${err}`));
      const lines = out.split("\n").filter((l) => l.length > 0);
      resolve(Number(lines[lines.length - 1]));
    });
  });
}

/** Byte equality without the deep-equality walk (blocks are tens of KiB). */
function isSame(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && Buffer.compare(a, b) === 0;
}

function checkStore(path: string, lastReported: number): number {
  const store = NodeStore.open({ path });
  try {
    const head = store.getHeads().stage1;
    expect(head).toBeDefined();
    const h = head!.number;
    expect(h).toBeGreaterThanOrEqual(lastReported); // nothing committed was lost
    for (let n = 0; n <= h; n++) {
      const b = expectedBatch(n);
      expect(isSame(store.getBlockByNumber("stage1", n), b.block), `block ${n}`).toBe(true);
      expect(store.getBlockNumberByRoot("stage1", b.root)).toBe(n);
      expect(store.getState(b.stateRoot)).toEqual(b.state);
      expect(store.getFinalizedRoot("stage1", n)).toEqual(b.root);
      for (const r of b.results) expect(store.getTxResult(r.id)).toEqual(r.bytes);
    }
    expect(head!.root).toEqual(expectedBatch(h).root);
    expect(store.getHeads().stage1Finalized?.number).toBe(h);
    // Nothing of the batch after the head (the one the kill may have interrupted).
    const next = expectedBatch(h + 1);
    expect(store.getBlockByNumber("stage1", h + 1)).toBeUndefined();
    expect(store.getBlockNumberByRoot("stage1", next.root)).toBeUndefined();
    expect(store.getState(next.stateRoot)).toBeUndefined();
    for (const r of next.results) expect(store.getTxResult(r.id)).toBeUndefined();
    expect(store.getCounts()).toMatchObject({ stage1Blocks: h + 1, txResults: (h + 1) * RESULTS_PER_BLOCK, states: h + 1, stage1Finalized: h + 1 });
    return h;
  } finally {
    void store.close();
  }
}

describe("NodeStore under kill -9", () => {
  it("keeps every committed batch and no partial batch across three SIGKILLs", async () => {
    const path = mkdtempSync(join(tmpdir(), "xshard-crash-"));
    try {
      let head = -1;
      for (const [round, extraMs] of [[0, 0], [1, 3], [2, 11]] as const) {
        const last = await runAndKill(path, 20, extraMs);
        expect(last).toBeGreaterThan(head); // the writer resumed after the stored head
        const h = checkStore(path, last);
        expect(h, `round ${round}`).toBeGreaterThanOrEqual(last);
        head = h;
      }
    } finally {
      rmSync(path, { recursive: true, force: true });
    }
  });
});
