/**
 * Runner of the lock2pc transition vectors (test/vectors/lock2pc/<transition>/<case>.json): every
 * file is loaded and must be well formed; the transition applied to its pre-state gives its
 * post-state, or throws its error code and leaves the pre-state unchanged. An unknown transition or
 * field, or a malformed value, fails. `UPDATE_VECTORS=1` rewrites the files from lock2pc.vectors.ts.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { processCrosslink, processLock2pcBlock } from "../../src/protocols/lock2pc/block.js";
import { processAbort, processCommit, processLock } from "../../src/protocols/lock2pc/transitions.js";
import type { JsonObject } from "../../src/protocols/shards/json.js";
import { errorCodeOf, getChainContext, parseVector } from "./baselines.js";
import { blockFromJson, crosslinkInputFromJson, generateLock2pcVectors, lock2pcStateFromJson, lock2pcStateToJson, opInputFromJson, opResultToJson } from "./lock2pc.vectors.js";

const DIR = fileURLToPath(new URL("./lock2pc/", import.meta.url));
const TRANSITIONS = ["processLock2pcBlock", "processCrosslink", "processLock", "processCommit", "processAbort"] as const;
/** processLock has no input it refuses (a held lock gives a refusal leaf): valid cases only. */
const WITHOUT_ERRORS: readonly string[] = ["processLock"];

if (process.env["UPDATE_VECTORS"] === "1") {
  rmSync(DIR, { recursive: true, force: true });
  for (const [name, v] of Object.entries(generateLock2pcVectors())) {
    mkdirSync(join(DIR, name.split("/")[0]!), { recursive: true });
    writeFileSync(join(DIR, `${name}.json`), JSON.stringify(v, null, 1) + "\n");
  }
}

/** Loads and runs one fixture; throws on a malformed one, returns what the spec gave and what the file expects. */
function runVector(x: unknown, file: string): { got: { post: unknown; error: string | null }; expected: { post: unknown; error: string | null }; preUnchanged: boolean } {
  const v = parseVector(x, TRANSITIONS, file);
  if (!file.startsWith(`${v.transition}/`)) throw new Error(`${file}: the folder does not name the transition ${v.transition}`);
  const { ctx } = getChainContext("lock2pc", v["chain"]);
  const pre = lock2pcStateFromJson(v["pre"]);
  if (JSON.stringify(lock2pcStateToJson(pre)) !== JSON.stringify(v["pre"])) throw new Error(`${file}: the pre-state does not round-trip`);
  // The input is parsed before the transition runs: a malformed input is the fixture's fault, not a result.
  let apply: () => JsonObject;
  if (v.transition === "processLock2pcBlock") {
    const block = blockFromJson(v["input"], "input");
    apply = () => opResultToJson(processLock2pcBlock(pre, block, ctx));
  } else if (v.transition === "processCrosslink") {
    const { header, attestation } = crosslinkInputFromJson(v["input"]);
    apply = () => lock2pcStateToJson(processCrosslink(pre, header, attestation, ctx));
  } else {
    const kind = v.transition === "processLock" ? "lock" : v.transition === "processCommit" ? "commit" : "abort";
    const { shard, op } = opInputFromJson(v["input"], kind);
    apply = () =>
      opResultToJson(
        op.kind === "lock" ? processLock(pre, shard, op.tx) : op.kind === "commit" ? processCommit(pre, shard, op.tx, op.proofs, op.pinned, ctx) : processAbort(pre, shard, op.tx, op.kind === "abort" ? op.proofs : []),
      );
  }
  let post: unknown = null;
  const error = errorCodeOf(() => {
    post = apply();
  });
  return { got: { post, error }, expected: { post: v["post"], error: v.error }, preUnchanged: JSON.stringify(lock2pcStateToJson(pre)) === JSON.stringify(v["pre"]) };
}

const files = readdirSync(DIR, { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(".json"))
  .sort();

describe("lock2pc transition vectors", () => {
  it("every transition has a valid case and at least two invalid ones (none for processLock), and the folder holds nothing else", () => {
    for (const f of readdirSync(DIR, { recursive: true, encoding: "utf8" })) expect(f.endsWith(".json") || (TRANSITIONS as readonly string[]).includes(f), f).toBe(true);
    for (const t of TRANSITIONS) {
      const mine = files.filter((f) => f.startsWith(`${t}/`)).map((f) => JSON.parse(readFileSync(join(DIR, f), "utf8")) as { error: string | null });
      expect(mine.filter((v) => v.error === null).length, `${t} valid`).toBeGreaterThanOrEqual(WITHOUT_ERRORS.includes(t) ? 2 : 1);
      if (!WITHOUT_ERRORS.includes(t)) expect(mine.filter((v) => v.error !== null).length, `${t} invalid`).toBeGreaterThanOrEqual(2);
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
    const sample = JSON.parse(readFileSync(join(DIR, "processCommit/shard0.json"), "utf8")) as Record<string, unknown>;
    const input = sample["input"] as { shard: number; op: Record<string, unknown> };
    it("an unknown transition name, or a fixture in another transition's folder", () => {
      expect(() => runVector({ ...sample, transition: "processComit" }, "processComit/x.json")).toThrow(/unknown transition processComit/);
      expect(() => runVector(sample, "processAbort/x.json")).toThrow(/does not name the transition/);
    });
    it("a missing or an unknown field, both or neither of post and error", () => {
      const { post: _p, ...noPost } = sample;
      expect(() => runVector(noPost, "processCommit/x.json")).toThrow(/missing \[post\]/);
      expect(errorCodeOf(() => runVector({ ...sample, input: { ...input, extra: true } }, "processCommit/x.json"))).toBe("MALFORMED_JSON");
      expect(() => runVector({ ...sample, post: null }, "processCommit/x.json")).toThrow(/exactly one of post and error/);
    });
    it("a malformed value: an op of another kind, an unknown op kind, short bytes, a bad lock count", () => {
      expect(errorCodeOf(() => runVector({ ...sample, input: { ...input, op: { ...input.op, kind: "abort" } } }, "processCommit/x.json"))).toBe("MALFORMED_JSON");
      expect(errorCodeOf(() => runVector({ ...sample, input: { ...input, op: { ...input.op, kind: "vote" } } }, "processCommit/x.json"))).toBe("MALFORMED_JSON");
      const proofs = input.op["proofs"] as Record<string, unknown>[];
      expect(errorCodeOf(() => runVector({ ...sample, input: { ...input, op: { ...input.op, proofs: [{ ...proofs[0]!, branch: ["0x00"] }] } } }, "processCommit/x.json"))).toBe("MALFORMED_JSON");
      const pre = sample["pre"] as { locks: unknown[] };
      expect(errorCodeOf(() => runVector({ ...sample, pre: { ...pre, locks: [["a", "0"]] } }, "processCommit/x.json"))).toBe("MALFORMED_JSON");
    });
    it("a changed expectation fails the comparison (the runner compares, it does not trust)", () => {
      const post = sample["post"] as Record<string, unknown>;
      const r = runVector({ ...sample, post: { ...post, outcome: ["aborted", null] } }, "processCommit/shard0.json");
      expect(r.got.post).not.toEqual(r.expected.post);
    });
  });
});
