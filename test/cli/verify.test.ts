/** `xshard run --prove` writes proofs and the genesis anchor; `xshard verify` needs the anchor and checks proofs against it only. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.js";

let err = "";
let out = "";
beforeEach(() => {
  err = "";
  out = "";
  vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void (out += a.join(" ") + "\n"));
});
afterEach(() => vi.restoreAllMocks());

const tmp = () => mkdtempSync(join(tmpdir(), "xshard-verify-"));
const RUN = ["run", "--workload", "transfer", "--slots", "2", "--rate", "6", "--accounts", "8", "--shards", "3", "--validators", "12", "--committee-size", "4"];

/** Exit code 2, exactly one line on stderr matching `re`, no stack trace. */
async function expectRefused(argv: string[], re: RegExp): Promise<void> {
  err = "";
  expect(await main(argv)).toBe(2);
  expect(err).toMatch(re);
  expect(err.trim().split("\n")).toHaveLength(1);
  expect(err).not.toMatch(/\n\s+at /);
}

describe("xshard verify", () => {
  const d = tmp();
  const other = tmp();
  const proofs = [0, 1, 2, 3].map((i) => join(d, `proof-${i}.json`));
  const genesis = join(d, "genesis.json");
  let ids: string[] = [];

  beforeAll(async () => {
    vi.spyOn(console, "log").mockImplementation(() => undefined);
    expect(await main([...RUN, "--prove", "0,1,2,3", "--out", d])).toBe(0);
    expect(await main([...RUN, "--seed", "2", "--prove", "0", "--out", other])).toBe(0);
    vi.restoreAllMocks();
    ids = JSON.parse(readFileSync(join(d, "results.json"), "utf8")).txs.map((t: { id: string }) => t.id);
  });

  it("run --prove writes DIR/genesis.json, an xshard.genesis/1 anchor with keys and stakes", () => {
    const g = JSON.parse(readFileSync(genesis, "utf8"));
    expect(g.schema).toBe("xshard.genesis/1");
    expect(g.validators).toHaveLength(12);
    expect(g.genesisRoot).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.parse(readFileSync(proofs[0]!, "utf8")).genesisRoot).toBe(g.genesisRoot);
  });

  it("several proofs against the genesis anchor: each valid, shared headers checked once", async () => {
    expect(await main(["verify", "--genesis", genesis, ...proofs])).toBe(0);
    for (const id of ids.slice(0, 4)) expect(out).toContain(`valid: transaction ${id} `);
    expect(out).toMatch(/4 proofs valid against genesis [0-9a-f]{16}… \(\d+ headers, \d+ affirmations, \d+ aggregate signatures checked\)/);
  });

  it("without an anchor it refuses to say valid", async () => {
    await expectRefused(["verify", proofs[0]!], /verify needs a trust anchor: --genesis FILE or --checkpoint FILE/);
    expect(out).not.toMatch(/valid/);
  });

  it("asked about a transaction: the right one passes, another is refused (relabelled)", async () => {
    expect(await main(["verify", "--genesis", genesis, "--tx", ids[1]!, proofs[1]!])).toBe(0);
    await expectRefused(["verify", "--genesis", genesis, "--tx", ids[1]!, proofs[2]!], /proof-2\.json: proof: it proves transaction [0-9a-f]{64}, not/);
    await expectRefused(["verify", "--genesis", genesis, "--tx", "ab", proofs[1]!], /--tx must be a 32-byte transaction id/);
    await expectRefused(["verify", "--genesis", genesis, "--seq", "1.5", proofs[1]!], /--seq must be a non-negative integer/);
  });

  it("another chain's genesis, or its proof: refused, naming the file", async () => {
    await expectRefused(["verify", "--genesis", join(other, "genesis.json"), proofs[0]!], /proof-0\.json: proof: it is for the chain with genesis root/);
    await expectRefused(["verify", "--genesis", genesis, proofs[0]!, join(other, "proof-0.json")], new RegExp(`${join(other, "proof-0.json").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: proof: it is for the chain`));
  });

  it("a proof with keys added, a 33-byte tx id, header number 1.5: one line each", async () => {
    const p = JSON.parse(readFileSync(proofs[0]!, "utf8"));
    const f = join(d, "edited.json");
    writeFileSync(f, JSON.stringify({ ...p, batchAttestation: { ...p.batchAttestation, committee: [] } }));
    await expectRefused(["verify", "--genesis", genesis, f], /proof\.batchAttestation\.committee is not a field/);
    writeFileSync(f, JSON.stringify({ ...p, leaf: { ...p.leaf, txId: p.leaf.txId + "00" } }));
    await expectRefused(["verify", "--genesis", genesis, f], /proof\.leaf\.txId must be exactly 32 bytes, got 33/);
    writeFileSync(f, JSON.stringify({ ...p, header: { ...p.header, number: 1.5 } }));
    await expectRefused(["verify", "--genesis", genesis, f], /proof\.header\.number must be an integer/);
  });

  it("unreadable or malformed anchors and proofs", async () => {
    const f = join(d, "broken.json");
    writeFileSync(f, "{ not json");
    await expectRefused(["verify", "--genesis", f, proofs[0]!], /cannot read anchor .*broken\.json/);
    await expectRefused(["verify", "--genesis", genesis, f], /cannot read proof .*broken\.json/);
    writeFileSync(f, JSON.stringify({ schema: "xshard.genesis/1", seed: "1", committeeSize: 4, committees: 3, validators: [{ pubkey: "00", stake: 1 }], contracts: [] }));
    await expectRefused(["verify", "--genesis", f, proofs[0]!], /genesis\.validators\[0\]\.pubkey must be exactly 48 bytes/);
    await expectRefused(["verify", "--checkpoint", genesis, proofs[0]!], /checkpoint\.schema must be "xshard\.checkpoint\/1"/);
  });

  it("many proof files go through one batched pass; a bad one among them is named, after the good ones before it", async () => {
    const p2 = JSON.parse(readFileSync(proofs[2]!, "utf8"));
    const badSig = join(d, "bad-sig.json");
    writeFileSync(badSig, JSON.stringify({ ...p2, headerAttestation: { ...p2.headerAttestation, signature: p2.batchAttestation.signature } }));
    const badBranch = join(d, "bad-branch.json");
    writeFileSync(badBranch, JSON.stringify({ ...p2, leaf: { ...p2.leaf, postRoot: "00".repeat(32) } }));
    const broken = join(d, "broken-proof.json");
    writeFileSync(broken, "{ not json");
    const many = Array.from({ length: 40 }, (_, i) => proofs[i % 4]!);
    expect(await main(["verify", "--genesis", genesis, ...many])).toBe(0);
    expect(out).toMatch(/40 proofs valid against genesis/);
    await expectRefused(["verify", "--genesis", genesis, ...many, badSig, proofs[3]!, broken], /bad-sig\.json: proof: Stage-2 block \d+: the aggregate signature does not verify/);
    await expectRefused(["verify", "--genesis", genesis, proofs[0]!, badBranch, badSig], /bad-branch\.json: proof: result in the affirmation: Merkle branch/);
    await expectRefused(["verify", "--genesis", genesis, proofs[0]!, proofs[1]!, broken, badSig], /cannot read proof .*broken-proof\.json/);
    await expectRefused(["verify", "--genesis", genesis, proofs[0]!, badSig, broken], /bad-sig\.json: proof: Stage-2 block/);
  });

  it("run --prove refuses --no-signatures up front", async () => {
    await expectRefused([...RUN, "--no-signatures", "--prove", "0", "--out", tmp()], /--prove needs signatures on/);
  });
});
