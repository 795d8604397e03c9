/**
 * Contract state for clients that do not follow the contract (docs/node.md, `GET /v1/state/:contract`
 * and `xshard state`): a memory devnet's node answers with keys of a contract's latest affirmed
 * state, their Merkle witness and the outcome proof whose signed leaf commits to the root; the
 * light client (anchor: the devnet genesis file) verifies the root from the Stage-2 header and
 * the witness against it. State 0 is checked against the anchor's contract roots. A fake API that
 * tampers with a value, the witness, the root or the proof is refused with a typed error; the
 * route's bad input gets a typed 4xx.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computeTxId } from "../../src/program/index.js";
import { toHex } from "../../src/crypto/hash.js";
import { isXshardError } from "../../src/errors.js";
import { loadTrustAnchor } from "../../src/cli/verify.js";
import { readStateOverRpc } from "../../src/cli/state.js";
import { NodeApiBackend } from "../../src/node/backend.js";
import { createApiServer } from "../../src/node/api/server.js";
import type { NodeBackend, StateProofView } from "../../src/node/api/backend.js";
import { encodeDevnetGenesis } from "../../src/node/genesis.js";
import { getAffirmedIdx } from "../../src/protocols/delayed/state.js";
import type { TrustAnchor } from "../../src/protocols/delayed/lightclient.js";
import { getWorkload } from "../../src/workloads/index.js";
import { startMemoryDevnet, type MemoryDevnet } from "./memoryDevnet.js";
import { waitFor } from "./networkSuite.js";

const w = getWorkload("transfer").generate({ slots: 1, rate: 4, accounts: 8, contracts: 4, cross: 0.5 }, "state-api");
let net: MemoryDevnet;
let anchor: TrustAnchor;
let genesisDoc: StateProofView;
let contract: string;
let present: Uint8Array;
const absent = new TextEncoder().encode("no such key");
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

/** A fake API: the real node's answers, with `getState` passed through `edit`. */
function tampered(edit: (d: StateProofView) => StateProofView): NodeBackend {
  const real = new NodeApiBackend(net.nodes[0]!);
  return { ...Object.fromEntries(["submitTransaction", "getTransactionStatus", "getTransactionProof", "getHeads", "onHeads"].map((k) => [k, (real as unknown as Record<string, (...a: unknown[]) => unknown>)[k]!.bind(real)])), getState: async (c: string, k: readonly Uint8Array[]) => edit(await real.getState(c, k)) } as unknown as NodeBackend;
}

const flip = (hex: string, at: number): string => {
  const b = Buffer.from(hex.slice(2), "hex");
  b[at] = (b[at] as number) ^ 1;
  return `0x${b.toString("hex")}`;
};

beforeAll(async () => {
  net = await startMemoryDevnet({ nodes: 2, validators: 8, committees: 2, committeeSize: 4, slotMs: 1000, seed: "state-api", genesis: w.genesis, startInMs: 300 });
  const genesisFile = join(net.dir, "genesis.json");
  writeFileSync(genesisFile, JSON.stringify(encodeDevnetGenesis(net.nodes[0]!.o.genesis)));
  anchor = loadTrustAnchor({ genesis: genesisFile });
  const node = net.nodes[0]!;
  contract = [...node.chain.state.contracts.keys()].find((id) => anchor.genesis.contracts.some((c) => c.id === id))!;
  present = [...node.chain.views.frontier(contract).snaps[0]!.kv.entries()][0]![0];
  // Before any transaction: state 0, its root from the genesis anchor.
  genesisDoc = await new NodeApiBackend(node).getState(contract, [present, absent]);
  for (const s of w.submissions) node.addTransaction(s.tx);
  const backend = new NodeApiBackend(node);
  const ids = w.submissions.map((s) => computeTxId(s.tx));
  await waitFor("every transaction final", () => ids.every((x) => backend.getTransactionStatus(x)?.status === "final"), 60_000);
  await waitFor(`${contract} affirmed past state 0`, () => getAffirmedIdx(node.chain.state.contracts.get(contract)!) > 0, 60_000);
}, 90_000);

afterAll(async () => {
  for (const s of servers) await s.close();
  await net?.stop();
});

describe("GET /v1/state/:contract and xshard state", () => {
  it("a real node's answer verifies against the genesis anchor (the root from a verified header)", async () => {
    const node = net.nodes[0]!;
    const url = await serve(new NodeApiBackend(node));
    const { read, lines } = await readStateOverRpc(url, anchor, contract, [present, absent]);
    const rec = node.chain.state.contracts.get(contract)!;
    expect(read.position).toBe(getAffirmedIdx(rec));
    expect(read.position).toBeGreaterThan(0);
    expect(read.from).not.toBe("genesis");
    const kv = node.chain.views.frontier(contract).snaps[read.position]!.kv;
    expect(toHex(read.values[0]!)).toBe(toHex(kv.get(present)!));
    expect(read.values[1]).toBeNull();
    expect(lines[0]).toMatch(/^valid: /);
    expect(lines[2]).toMatch(/absent$/);
    // The other node, which computed the same chain, gives the same verified read.
    const other = await readStateOverRpc(await serve(new NodeApiBackend(net.nodes[1]!)), anchor, contract, [present, absent]);
    expect(toHex(other.read.root)).toBe(toHex(read.root));
  });

  it("state 0 comes without a proof and is checked against the anchor's contract root", async () => {
    expect(genesisDoc.position).toBe(0);
    expect(genesisDoc.proof).toBeNull();
    const { read } = await readStateOverRpc(await serve(tampered(() => genesisDoc)), anchor, contract, [present, absent]);
    expect(read.from).toBe("genesis");
    expect(read.values[0]).not.toBeNull();
    expect(await codeOf(readStateOverRpc(await serve(tampered(() => ({ ...genesisDoc, values: [genesisDoc.values[1]!, genesisDoc.values[1]!] }))), anchor, contract, [present, absent]))).toBe("STATE_VALUE_MISMATCH");
  });

  it("a tampered value, witness, root or proof is refused with a typed error", async () => {
    const cases: [string, (d: StateProofView) => StateProofView, string][] = [
      ["value", (d) => ({ ...d, values: [flip(d.values[0]!, 0), d.values[1]!] }), "STATE_VALUE_MISMATCH"],
      ["absent key said present", (d) => ({ ...d, values: [d.values[0]!, "0x01"] }), "STATE_VALUE_MISMATCH"],
      ["witness bytes", (d) => ({ ...d, witness: flip(d.witness, d.witness.length / 2 - 4) }), "BAD_PROOF"],
      ["root", (d) => ({ ...d, root: flip(d.root, 31) }), "STATE_ROOT_MISMATCH"],
      ["root and the proof's leaf", (d) => {
        const proof = JSON.parse(JSON.stringify(d.proof)) as { leaf: { postRoot: string } };
        proof.leaf.postRoot = flip(`0x${proof.leaf.postRoot}`, 31).slice(2);
        return { ...d, root: `0x${proof.leaf.postRoot}`, proof };
      }, "BAD_PROOF"],
      ["another contract", (d) => ({ ...d, contract: "other" }), "STATE_MISMATCH"],
      ["proof dropped (state 0 claimed)", (d) => ({ ...d, proof: null, position: 0, seq: null, stage2: null }), "STATE_ROOT_MISMATCH"],
    ];
    for (const [name, edit, code] of cases) {
      const url = await serve(tampered(edit));
      expect(await codeOf(readStateOverRpc(url, anchor, contract, [present, absent])), name).toBe(code);
    }
  });

  it("the route answers bad input with typed 4xx", async () => {
    const app = await createApiServer({ backend: new NodeApiBackend(net.nodes[0]!) });
    servers.push(app);
    const get = async (url: string) => {
      const r = await app.inject({ method: "GET", url });
      return [r.statusCode, (JSON.parse(r.body) as { code: string }).code] as const;
    };
    expect(await get(`/v1/state/nosuch?keys=0x01`)).toEqual([404, "CONTRACT_NOT_FOUND"]);
    expect(await get(`/v1/state/${contract}?keys=zz`)).toEqual([400, "API_BAD_KEYS"]);
    expect(await get(`/v1/state/${contract}?keys=0x`)).toEqual([400, "API_BAD_KEYS"]);
    expect(await get(`/v1/state/${contract}?keys=0x${"00".repeat(65)}`)).toEqual([400, "API_BAD_KEYS"]);
    expect(await get(`/v1/state/${contract}?keys=${Array(65).fill("0x01").join(",")}`)).toEqual([400, "API_BAD_KEYS"]);
    expect(await get(`/v1/state/${contract}`)).toEqual([400, "API_BAD_REQUEST"]);
    expect(await get(`/v1/state/xshard%3Aresults?keys=0x01`)).toEqual([404, "CONTRACT_NOT_FOUND"]);
  });
});
