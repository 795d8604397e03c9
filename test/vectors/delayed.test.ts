/**
 * Runner of the delayed transition vectors (test/vectors/delayed/<transition>/<case>.json): every
 * file is loaded and must be well formed; the transition applied to its pre-state gives its
 * post-state, or throws its error code and leaves the pre-state unchanged. An unknown transition
 * or field, or a malformed value, fails. `UPDATE_VECTORS=1` rewrites the files from
 * delayed.vectors.ts. Signatures are verified (real BLS).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createBlsVerifier } from "../../src/crypto/bls.js";
import { LIBRARY_CONTRACTS, loadLibraryWasm, Runtime } from "../../src/runtime/index.js";
import { processEpochBoundary } from "../../src/protocols/delayed/epoch.js";
import { processEvidence } from "../../src/protocols/delayed/evidence.js";
import { delayedStateFromJson, delayedStateToJson, evidenceFromJson, movesToJson, stage1BlockFromJson, stage2BlockFromJson, stage2EffectsToJson } from "../../src/protocols/delayed/json.js";
import { processStage1Block } from "../../src/protocols/delayed/stage1.js";
import { processStage2Block } from "../../src/protocols/delayed/stage2.js";
import { errorCodeOf, parseVector } from "./baselines.js";
import { DELAYED_CHAIN, generateDelayedVectors, parseDelayedChain } from "./delayed.vectors.js";

const DIR = fileURLToPath(new URL("./delayed/", import.meta.url));
const TRANSITIONS = ["processStage1Block", "processStage2Block", "processEvidence", "processEpochBoundary"] as const;
/** Transitions that cannot fail (no rule a caller can break): they need valid cases only. */
const TOTAL = new Set<string>(["processEpochBoundary"]);

if (process.env["UPDATE_VECTORS"] === "1") {
  const vectors = generateDelayedVectors();
  rmSync(DIR, { recursive: true, force: true });
  for (const [name, v] of Object.entries(vectors)) {
    mkdirSync(join(DIR, name.split("/")[0]!), { recursive: true });
    writeFileSync(join(DIR, `${name}.json`), JSON.stringify(v, null, 1) + "\n");
  }
}

const verifier = createBlsVerifier();
/** Evidence re-executes one transaction (its one-step proof): a runtime that knows the library's contract code. */
const runtime = new Runtime();
for (const c of LIBRARY_CONTRACTS) runtime.registerCode(loadLibraryWasm(c));

/** Loads and runs one fixture; throws on a malformed one, returns what the spec gave and what the file expects. */
function runVector(x: unknown, file: string): { got: { post: unknown; error: string | null }; expected: { post: unknown; error: string | null }; preUnchanged: boolean } {
  const v = parseVector(x, TRANSITIONS, file);
  if (!file.startsWith(`${v.transition}/`)) throw new Error(`${file}: the folder does not name the transition ${v.transition}`);
  const { params, validators } = parseDelayedChain(v["chain"]);
  const pre = delayedStateFromJson(v["pre"], params, validators);
  if (JSON.stringify(delayedStateToJson(pre)) !== JSON.stringify(v["pre"])) throw new Error(`${file}: the pre-state does not round-trip`);
  // The input is parsed before the transition runs: a malformed input is the fixture's fault, not a result.
  let apply: () => unknown;
  switch (v.transition) {
    case "processStage1Block": {
      const block = stage1BlockFromJson(v["input"], "input");
      apply = () => {
        const r = processStage1Block(pre, block, verifier);
        return { state: delayedStateToJson(r.state), seqs: r.seqs, registered: r.registered };
      };
      break;
    }
    case "processStage2Block": {
      const block = stage2BlockFromJson(v["input"], validators, "input");
      apply = () => {
        const r = processStage2Block(pre, block, { verifier, runtime });
        return { state: delayedStateToJson(r.state), effects: stage2EffectsToJson(r.effects) };
      };
      break;
    }
    case "processEvidence": {
      const ev = evidenceFromJson(v["input"], "input");
      apply = () => {
        const r = processEvidence(pre, ev, { verifier, runtime });
        return { state: delayedStateToJson(r.state), effect: stage2EffectsToJson({ evidence: [r.effect], applied: [], created: [], absent: [], dropped: [] }).evidence };
      };
      break;
    }
    default: {
      if (v["input"] !== null) throw new Error(`${file}: ${v.transition} takes no input (null)`);
      apply = () => {
        const r = processEpochBoundary(pre);
        return { state: delayedStateToJson(r.state), moves: movesToJson(r.moves) };
      };
    }
  }
  let post: unknown = null;
  const error = errorCodeOf(() => {
    post = apply();
  });
  return { got: { post, error }, expected: { post: v["post"], error: v.error }, preUnchanged: JSON.stringify(delayedStateToJson(pre)) === JSON.stringify(v["pre"]) };
}

const files = readdirSync(DIR, { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(".json"))
  .sort();
const read = (f: string): Record<string, unknown> => JSON.parse(readFileSync(join(DIR, f), "utf8")) as Record<string, unknown>;

describe("delayed transition vectors", () => {
  it("every transition has a valid case and at least two invalid ones (unless it cannot fail), and the folder holds nothing else", () => {
    for (const f of readdirSync(DIR, { recursive: true, encoding: "utf8" })) expect(f.endsWith(".json") || (TRANSITIONS as readonly string[]).includes(f), f).toBe(true);
    for (const t of TRANSITIONS) {
      const mine = files.filter((f) => f.startsWith(`${t}/`)).map((f) => read(f) as { error: string | null });
      expect(mine.filter((v) => v.error === null).length, `${t} valid`).toBeGreaterThanOrEqual(1);
      expect(mine.filter((v) => v.error !== null).length, `${t} invalid`).toBeGreaterThanOrEqual(TOTAL.has(t) ? 0 : 2);
    }
  });

  for (const file of files) {
    it(file, () => {
      const r = runVector(read(file), file);
      expect(r.got.error).toBe(r.expected.error);
      expect(r.got.post).toEqual(r.expected.post);
      expect(r.preUnchanged, "the input state is unchanged").toBe(true);
    });
  }

  describe("the runner refuses what it cannot read", () => {
    const sample = read("processStage1Block/sequences_two_txs.json");
    const code = (f: () => unknown): string | null => errorCodeOf(f);
    it("an unknown transition name", () => {
      expect(() => runVector({ ...sample, transition: "processStage3Block" }, "processStage3Block/x.json")).toThrow(/unknown transition processStage3Block/);
    });
    it("a fixture in another transition's folder", () => {
      expect(() => runVector(sample, "processStage2Block/x.json")).toThrow(/does not name the transition/);
    });
    it("a missing or an unknown field, both or neither of post and error", () => {
      const { error: _e, ...noError } = sample;
      expect(() => runVector(noError, "processStage1Block/x.json")).toThrow(/missing \[error\]/);
      expect(() => runVector({ ...sample, extra: 1 }, "processStage1Block/x.json")).toThrow(/unknown \[extra\]/);
      expect(() => runVector({ ...sample, error: "BAD_PARENT" }, "processStage1Block/x.json")).toThrow(/exactly one of post and error/);
      const pre = sample["pre"] as Record<string, unknown>;
      const { graph: _g, ...noGraph } = pre;
      expect(code(() => runVector({ ...sample, pre: noGraph }, "processStage1Block/x.json"))).toBe("MALFORMED_JSON");
    });
    it("a malformed value: hex, integer, validator index, chain parameter, a transaction id that is not its bytes' id", () => {
      const input = sample["input"] as { header: Record<string, unknown> };
      const pre = sample["pre"] as { committees: number[][]; txs: unknown[] };
      expect(code(() => runVector({ ...sample, input: { ...input, header: { ...input.header, parentRoot: "0xzz" } } }, "processStage1Block/x.json"))).toBe("MALFORMED_JSON");
      expect(code(() => runVector({ ...sample, input: { ...input, header: { ...input.header, slot: "0" } } }, "processStage1Block/x.json"))).toBe("MALFORMED_JSON");
      expect(code(() => runVector({ ...sample, pre: { ...pre, committees: [[0, 1, 2, 99], ...pre.committees.slice(1)] } }, "processStage1Block/x.json"))).toBe("MALFORMED_JSON");
      expect(code(() => runVector({ ...sample, chain: { ...DELAYED_CHAIN, stage2Mode: "eager" } }, "processStage1Block/x.json"))).toBe("MALFORMED_JSON");
      const withTx = read("processStage2Block/bad_parent.json");
      const txs = (withTx["pre"] as { txs: Record<string, unknown>[] }).txs;
      const forged = { ...withTx, pre: { ...(withTx["pre"] as object), txs: [{ ...txs[0]!, txId: `0x${"00".repeat(32)}` }, ...txs.slice(1)] } };
      expect(code(() => runVector(forged, "processStage2Block/bad_parent.json"))).toBe("MALFORMED_JSON");
      expect(() => runVector({ ...read("processEpochBoundary/shuffle_unchanged.json"), input: {} }, "processEpochBoundary/x.json")).toThrow(/takes no input/);
    });
    it("a changed expectation fails the comparison (the runner compares, it does not trust)", () => {
      const post = sample["post"] as { seqs: number[] };
      const r = runVector({ ...sample, post: { ...post, seqs: [0, 2] } }, "processStage1Block/sequences_two_txs.json");
      expect(r.got.post).not.toEqual(r.expected.post);
      const bad = read("processStage2Block/bad_parent.json");
      const r2 = runVector({ ...bad, error: "NOT_CONTINUING" }, "processStage2Block/bad_parent.json");
      expect(r2.got.error).not.toBe(r2.expected.error);
    });
  });
});
