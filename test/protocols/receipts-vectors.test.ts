/**
 * Runner of the receipts transition vectors (test/vectors/receipts/<transition>/<case>.json): every
 * file is loaded and must be well formed; the transition applied to its pre-state gives its
 * post-state, or throws its error code and leaves the pre-state unchanged. An unknown transition,
 * field or mode fails. `UPDATE_VECTORS=1` rewrites the files from test/helpers/receiptsVectors.ts.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { computeCommittees, createValidators } from "../../src/chain/index.js";
import { createNoopVerifier } from "../../src/crypto/bls.js";
import { LIBRARY_CONTRACTS, loadLibraryWasm, Runtime } from "../../src/runtime/index.js";
import { getConsumeRule } from "../../src/protocols/receipts/consume/index.js";
import type { ReceiptsContext } from "../../src/protocols/receipts/context.js";
import { resolveReceiptsParams } from "../../src/protocols/receipts/params.js";
import { processShardBlock } from "../../src/protocols/receipts/shardBlock.js";
import { processBeaconBlock } from "../../src/protocols/receipts/beaconBlock.js";
import { beaconBlockFromJson, fields, shardBlockFromJson, stateFromJson, stateToJson } from "../helpers/receiptsJson.js";
import { generateReceiptsVectors } from "../helpers/receiptsVectors.js";

const DIR = fileURLToPath(new URL("../vectors/receipts/", import.meta.url));
const TRANSITIONS = ["processShardBlock", "processBeaconBlock"] as const;

if (process.env["UPDATE_VECTORS"] === "1") {
  rmSync(DIR, { recursive: true, force: true });
  for (const [name, v] of Object.entries(generateReceiptsVectors())) {
    mkdirSync(join(DIR, name.split("/")[0]!), { recursive: true });
    writeFileSync(join(DIR, `${name}.json`), JSON.stringify(v, null, 1) + "\n");
  }
}

const runtime = new Runtime();
for (const name of LIBRARY_CONTRACTS) runtime.registerCode(loadLibraryWasm(name));

function contextOf(chain: unknown): ReceiptsContext {
  const c = fields(chain, ["mode", "seed", "validators", "committeeSize", "shards", "blockTxLimit", "options"], "chain");
  const validators = createValidators(c.validators as number, c.seed as string);
  return {
    params: resolveReceiptsParams(c.mode as string, c.options as Record<string, number>),
    rule: getConsumeRule(c.mode as string),
    seed: c.seed as string,
    committeeSize: c.committeeSize as number,
    blockTxLimit: c.blockTxLimit as number,
    validators,
    committees: computeCommittees(validators, c.seed as string, c.shards as number, c.committeeSize as number),
    verifier: createNoopVerifier(),
    runtime,
  };
}

const files = readdirSync(DIR, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".json")).sort();

describe("receipts transition vectors", () => {
  it("there are vectors for every transition, success and error cases, and nothing else in the folder", () => {
    const all = readdirSync(DIR, { recursive: true, encoding: "utf8" });
    for (const f of all) expect(f.endsWith(".json") || TRANSITIONS.includes(f as never), f).toBe(true);
    for (const t of TRANSITIONS) expect(files.filter((f) => f.startsWith(`${t}/`)).length, t).toBeGreaterThanOrEqual(4);
    expect(files.length).toBeGreaterThanOrEqual(20);
  });

  for (const file of files) {
    it(file, () => {
      const v = fields(JSON.parse(readFileSync(join(DIR, file), "utf8")), ["transition", "description", "chain", "pre", "input", "post", "error"], file);
      expect(file.startsWith(`${v.transition as string}/`), "the folder names the transition").toBe(true);
      expect(TRANSITIONS).toContain(v.transition);
      expect((v.post === null) !== (v.error === null), "exactly one of post and error").toBe(true);
      const ctx = contextOf(v.chain);
      const pre = stateFromJson(v.pre);
      expect(stateToJson(pre)).toEqual(v.pre); // the pre-state round-trips
      const apply = () => (v.transition === "processShardBlock" ? processShardBlock(pre, shardBlockFromJson(v.input), ctx).state : processBeaconBlock(pre, beaconBlockFromJson(v.input), ctx));
      if (v.error !== null) {
        expect(apply).toThrowError(expect.objectContaining({ code: v.error }));
        expect(stateToJson(pre)).toEqual(v.pre);
      } else {
        expect(stateToJson(apply())).toEqual(v.post);
      }
    });
  }
});
