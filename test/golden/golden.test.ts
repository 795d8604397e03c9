/**
 * Golden results: for every registered protocol × several workloads (small fixed configurations),
 * the sha256 of the results file is recorded in `hashes.json`. A change meant to keep behaviour
 * keeps every hash; a deliberate change regenerates the file once (`UPDATE_GOLDEN=1 npx vitest run
 * test/golden`) in a commit that says why.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { sha256, toHex } from "../../src/crypto/hash.js";
import { listProtocols } from "../../src/registry.js";
import { stringifyResults } from "../../src/runner.js";
import type { RunConfig } from "../../src/sim/protocol.js";
import { run, workload } from "../helpers/run.js";

const FILE = fileURLToPath(new URL("./hashes.json", import.meta.url));
const UPDATE = process.env["UPDATE_GOLDEN"] === "1";

interface Case {
  readonly workload: string;
  readonly params: Record<string, number | string>;
  readonly config?: Partial<RunConfig>;
}

const CASES: Record<string, Case> = {
  "transfer": { workload: "transfer", params: { slots: 3, rate: 8, accounts: 12, contracts: 6, cross: 0.5 } },
  "exchange-naive": { workload: "exchange", params: { slots: 3, rate: 4, accounts: 12, pools: 1, form: "naive" }, config: { shards: 3 } },
  "train-hotel": { workload: "train-hotel", params: { slots: 3, rate: 8, accounts: 12, capacity: 6, pairs: 2 } },
  "interconnect-signed-slow": {
    workload: "interconnect",
    params: { slots: 3, rate: 6, accounts: 12, contracts: 8, p: 0.7, k: 3 },
    config: { signatures: true, network: { kind: "fixed", ms: 3000 } },
  },
  "faults": {
    workload: "interconnect",
    params: { slots: 4, rate: 6, accounts: 12, contracts: 8, p: 0.5, k: 3 },
    config: { options: { wrongSigners: "1:0.9", withhold: "1" } },
  },
  "lifecycle-adaptive": {
    workload: "lifecycle",
    params: { slots: 4, rate: 6, accounts: 12 },
    config: { options: { assignment: "adaptive", epochSlots: 2 } },
  },
  "fee-shock": { workload: "fee-shock", params: { slots: 4, rate: 2, accounts: 12, contracts: 4, shockRate: 20 } },
};

const expected: Record<string, string> = UPDATE ? {} : (JSON.parse(readFileSync(FILE, "utf8")) as Record<string, string>);
const actual: Record<string, string> = {};

describe("golden results", () => {
  for (const protocol of listProtocols().map((p) => p.name)) {
    for (const [name, c] of Object.entries(CASES)) {
      const key = `${protocol} ${name}`;
      it(key, () => {
        const out = run(protocol, workload(c.workload, c.params), c.config ?? {});
        const hash = toHex(sha256(stringifyResults(out.results)));
        actual[key] = hash;
        if (!UPDATE) expect(hash, `${key}: results changed (regenerate only for a deliberate change)`).toBe(expected[key]);
      });
    }
  }
  it("records every case", () => {
    if (UPDATE) writeFileSync(FILE, JSON.stringify(Object.fromEntries(Object.entries(actual).sort()), null, 2) + "\n");
    else expect(Object.keys(expected).sort()).toEqual(Object.keys(actual).sort());
  });
});
