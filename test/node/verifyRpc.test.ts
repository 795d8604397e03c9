/**
 * `xshard verify --rpc URL --tx ID --genesis devnet/genesis.json` against a real node's API (memory
 * devnet): the light client reads the devnet genesis (`xshard.devnet-genesis/1`, its anchor under
 * `anchor`) as its trust anchor and derives every committee from it — the proof carries no keys.
 * A real proof is accepted; a fake API serving a forged one (an outcome changed, signers
 * relabelled) is refused; a devnet file whose anchor is not its chain's is refused.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computeTxId } from "../../src/program/index.js";
import { toHex } from "../../src/crypto/hash.js";
import { isXshardError } from "../../src/errors.js";
import { loadTrustAnchor, parseQuestion, verifyOverRpc } from "../../src/cli/verify.js";
import { NodeApiBackend } from "../../src/node/backend.js";
import { createApiServer } from "../../src/node/api/server.js";
import type { NodeBackend } from "../../src/node/api/backend.js";
import { encodeDevnetGenesis } from "../../src/node/genesis.js";
import { getWorkload } from "../../src/workloads/index.js";
import { startMemoryDevnet, type MemoryDevnet } from "./memoryDevnet.js";
import { waitFor } from "./networkSuite.js";

const w = getWorkload("transfer").generate({ slots: 1, rate: 4, accounts: 8, contracts: 4, cross: 0.5 }, "verify-rpc");
let net: MemoryDevnet;
let genesisFile: string;
let id: string;
const servers: { close(): Promise<unknown> }[] = [];

async function serve(backend: NodeBackend): Promise<string> {
  const app = await createApiServer({ backend });
  await app.listen({ port: 0, host: "127.0.0.1" });
  servers.push(app);
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isXshardError(e)) return e.code;
    throw e;
  }
  return "accepted";
}

beforeAll(async () => {
  net = await startMemoryDevnet({ nodes: 2, validators: 8, committees: 2, committeeSize: 4, slotMs: 1000, seed: "verify-rpc", genesis: w.genesis, startInMs: 300 });
  genesisFile = join(net.dir, "genesis.json");
  writeFileSync(genesisFile, JSON.stringify(encodeDevnetGenesis(net.nodes[0]!.o.genesis)));
  for (const s of w.submissions) net.nodes[0]!.addTransaction(s.tx);
  const backend = new NodeApiBackend(net.nodes[0]!);
  const ids = w.submissions.map((s) => `0x${toHex(computeTxId(s.tx))}`);
  await waitFor("a final transaction", () => ids.some((x) => backend.getTransactionStatus(Buffer.from(x.slice(2), "hex"))?.status === "final"), 60_000);
  id = ids.find((x) => backend.getTransactionStatus(Buffer.from(x.slice(2), "hex"))?.status === "final")!;
}, 90_000);

afterAll(async () => {
  for (const s of servers) await s.close();
  await net?.stop();
});

describe("verify --rpc against a node, with the devnet genesis as anchor", () => {
  it("a real proof from the node is valid; it carries no validator key", async () => {
    const backend = new NodeApiBackend(net.nodes[0]!);
    const url = await serve(backend);
    const anchor = loadTrustAnchor({ genesis: genesisFile });
    const r = await verifyOverRpc(url, anchor, parseQuestion({ tx: id }));
    expect(r.outcome.txId).toBe(id.slice(2));
    expect(r.lines[0]).toMatch(/^valid: transaction /);
    const text = JSON.stringify(backend.getTransactionProof(Buffer.from(id.slice(2), "hex")));
    for (const v of net.nodes[0]!.chain.validators) expect(text.includes(toHex(v.key.pubkey))).toBe(false);
  });

  it("a fake API's forged proofs are refused", async () => {
    const real = new NodeApiBackend(net.nodes[0]!);
    const proof = real.getTransactionProof(Buffer.from(id.slice(2), "hex")) as Record<string, Record<string, unknown>>;
    const forge = (doc: object, outcome?: string): NodeBackend => ({
      submitTransaction: (i) => real.submitTransaction(i),
      getTransactionStatus: (x) => {
        const s = real.getTransactionStatus(x);
        return s && outcome ? { ...s, outcome: outcome as "aborted" } : s;
      },
      getTransactionProof: () => doc,
      getHeads: () => real.getHeads(),
      onHeads: (l) => real.onHeads(l),
    });
    const anchor = loadTrustAnchor({ genesis: genesisFile });
    const q = parseQuestion({ tx: id });
    const leaf = proof["leaf"] as { outcome: string };
    const flipped = leaf.outcome === "committed" ? "aborted" : "committed";
    // The outcome changed (and the fake node's status agrees with it): the leaf no longer hashes to the signed results root.
    expect(await codeOf(verifyOverRpc(await serve(forge({ ...proof, leaf: { ...leaf, outcome: flipped } }, flipped)), anchor, q))).toBe("BAD_PROOF");
    // The header's signers relabelled (as if other validators had signed): their keys, from the anchor, do not verify the aggregate.
    const ha = proof["headerAttestation"] as { signers: number[]; signature: string };
    const others = net.nodes[0]!.chain.validators.map((v) => v.index).filter((i) => !ha.signers.includes(i));
    expect(await codeOf(verifyOverRpc(await serve(forge({ ...proof, headerAttestation: { ...ha, signers: others.slice(0, ha.signers.length) } })), anchor, q))).toBe("BAD_SIGNATURE");
  });

  it("a devnet genesis whose anchor is not its chain's is refused", () => {
    const doc = encodeDevnetGenesis(net.nodes[0]!.o.genesis) as { anchor: { genesisRoot: string } };
    const f = join(net.dir, "edited.json");
    writeFileSync(f, JSON.stringify({ ...doc, anchor: { ...doc.anchor, genesisRoot: "ab".repeat(32) } }));
    expect(() => loadTrustAnchor({ genesis: f })).toThrow(/is not the anchor of the chain it describes/);
  });
});
