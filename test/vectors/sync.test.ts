/**
 * Runner of the sync transition vectors (test/vectors/sync/<transition>/<case>.json): every file is
 * loaded and must be well formed; the transition applied to its pre-state gives its post-state, or
 * throws its error code and leaves the pre-state unchanged. An unknown transition or field, or a
 * malformed value, fails. `UPDATE_VECTORS=1` rewrites the files from sync.vectors.ts.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { processSyncBlock } from "../../src/protocols/sync/block.js";
import { processSyncHeight } from "../../src/protocols/sync/execution.js";
import { errorCodeOf, getChainContext, parseVector } from "./baselines.js";
import { generateSyncVectors, heightInputFromJson, heightResultToJson, SYNC_CHAIN, syncBlockFromJson, syncStateFromJson, syncStateToJson } from "./sync.vectors.js";

const DIR = fileURLToPath(new URL("./sync/", import.meta.url));
const TRANSITIONS = ["processSyncBlock", "processSyncHeight"] as const;

if (process.env["UPDATE_VECTORS"] === "1") {
  rmSync(DIR, { recursive: true, force: true });
  for (const [name, v] of Object.entries(generateSyncVectors())) {
    mkdirSync(join(DIR, name.split("/")[0]!), { recursive: true });
    writeFileSync(join(DIR, `${name}.json`), JSON.stringify(v, null, 1) + "\n");
  }
}

/** Loads and runs one fixture; throws on a malformed one, returns what the spec gave and what the file expects. */
function runVector(x: unknown, file: string): { got: { post: unknown; error: string | null }; expected: { post: unknown; error: string | null }; preUnchanged: boolean } {
  const v = parseVector(x, TRANSITIONS, file);
  if (!file.startsWith(`${v.transition}/`)) throw new Error(`${file}: the folder does not name the transition ${v.transition}`);
  const { chain, ctx } = getChainContext("sync", v["chain"]);
  const pre = syncStateFromJson(v["pre"]);
  if (JSON.stringify(syncStateToJson(pre)) !== JSON.stringify(v["pre"])) throw new Error(`${file}: the pre-state does not round-trip`);
  // The input is parsed before the transition runs: a malformed input is the fixture's fault, not a result.
  const apply =
    v.transition === "processSyncBlock"
      ? ((block) => () => syncStateToJson(processSyncBlock(pre, block, { blockTxLimit: chain.blockTxLimit }, ctx)))(syncBlockFromJson(v["input"], "input"))
      : (({ blocks, confirmations }) => () => heightResultToJson(processSyncHeight(pre, blocks, confirmations, ctx, new Set())))(heightInputFromJson(v["input"], pre.world));
  let post: unknown = null;
  const error = errorCodeOf(() => {
    post = apply();
  });
  return { got: { post, error }, expected: { post: v["post"], error: v.error }, preUnchanged: JSON.stringify(syncStateToJson(pre)) === JSON.stringify(v["pre"]) };
}

const files = readdirSync(DIR, { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(".json"))
  .sort();

describe("sync transition vectors", () => {
  it("every transition has a valid case and at least two invalid ones, and the folder holds nothing else", () => {
    for (const f of readdirSync(DIR, { recursive: true, encoding: "utf8" })) expect(f.endsWith(".json") || (TRANSITIONS as readonly string[]).includes(f), f).toBe(true);
    for (const t of TRANSITIONS) {
      const mine = files.filter((f) => f.startsWith(`${t}/`)).map((f) => JSON.parse(readFileSync(join(DIR, f), "utf8")) as { error: string | null });
      expect(mine.filter((v) => v.error === null).length, `${t} valid`).toBeGreaterThanOrEqual(1);
      expect(mine.filter((v) => v.error !== null).length, `${t} invalid`).toBeGreaterThanOrEqual(2);
    }
  });

  for (const file of files) {
    it(file, () => {
      const r = runVector(JSON.parse(readFileSync(join(DIR, file), "utf8")), file);
      expect(r.got.error).toBe(r.expected.error);
      expect(r.got.post).toEqual(r.expected.post);
      expect(r.preUnchanged, "the input state is unchanged").toBe(true);
    });
  }

  describe("the runner refuses what it cannot read", () => {
    const sample = JSON.parse(readFileSync(join(DIR, "processSyncBlock/shard0_height0.json"), "utf8")) as Record<string, unknown>;
    const code = (f: () => unknown): string | null => errorCodeOf(f);
    it("an unknown transition name", () => {
      expect(() => runVector({ ...sample, transition: "processSyncBlok" }, "processSyncBlok/x.json")).toThrow(/unknown transition processSyncBlok/);
    });
    it("a fixture in another transition's folder", () => {
      expect(() => runVector(sample, "processSyncHeight/x.json")).toThrow(/does not name the transition/);
    });
    it("a missing or an unknown field, both or neither of post and error", () => {
      const { error: _e, ...noError } = sample;
      expect(() => runVector(noError, "processSyncBlock/x.json")).toThrow(/missing \[error\]/);
      expect(() => runVector({ ...sample, extra: 1 }, "processSyncBlock/x.json")).toThrow(/unknown \[extra\]/);
      expect(() => runVector({ ...sample, error: "WRONG_HEIGHT" }, "processSyncBlock/x.json")).toThrow(/exactly one of post and error/);
    });
    it("a malformed value: hex, integer, a transaction id that is not its bytes' id", () => {
      const input = sample["input"] as { header: Record<string, unknown>; txs: Record<string, unknown>[] };
      expect(code(() => runVector({ ...sample, input: { ...input, header: { ...input.header, parentRoot: "0xzz" } } }, "processSyncBlock/x.json"))).toBe("MALFORMED_JSON");
      expect(code(() => runVector({ ...sample, input: { ...input, header: { ...input.header, height: "0" } } }, "processSyncBlock/x.json"))).toBe("MALFORMED_JSON");
      const tx = { ...input.txs[0]!, txId: `0x${"00".repeat(32)}` };
      expect(code(() => runVector({ ...sample, input: { ...input, txs: [tx, ...input.txs.slice(1)] } }, "processSyncBlock/x.json"))).toBe("MALFORMED_JSON");
      expect(code(() => runVector({ ...sample, chain: { ...SYNC_CHAIN, seed: 7 } }, "processSyncBlock/x.json"))).toBe("MALFORMED_JSON");
    });
    it("a changed expectation fails the comparison (the runner compares, it does not trust)", () => {
      const r = runVector({ ...sample, post: { ...(sample["post"] as object), executed: 5 } }, "processSyncBlock/shard0_height0.json");
      expect(r.got.post).not.toEqual(r.expected.post);
    });
  });
});
