/**
 * `xshard send / status / verify --rpc` against the real fastify API (`createApiServer`) over a
 * backend that serves a real simulator run (`rpcBackend.ts`), and against broken servers.
 */
import { createServer, type Server } from "node:http";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ResultsFile } from "../../src/results/schema.js";
import { computeRunAnchor, formatGenesisFile } from "../../src/cli/verify.js";
import { resolveRunConfig } from "../../src/runner.js";
import { getWorkload, planWorkload } from "../../src/workloads/index.js";
import { RpcClient, parseHeadsEvent } from "../../src/cli/rpc.js";
import { oneLine, runCli, tmp } from "./harness.js";
import { SIM_SEED, SimBackend, WORKLOAD_FLAGS, runSimChain, serveBackend, type SimChain } from "./rpcBackend.js";

const SLOT_MS = 200;
let chain: SimChain;
let backend: SimBackend;
let url: string;
let close: () => Promise<void>;
const dir = tmp();
const genesis = join(dir, "genesis.json");
const otherGenesis = join(dir, "other-genesis.json");

beforeAll(async () => {
  chain = runSimChain();
  backend = new SimBackend(chain, { slotMs: SLOT_MS, peers: [{ id: "12D3KooWpeer", addrs: ["/ip4/127.0.0.1/tcp/9000"] }] });
  ({ url, close } = await serveBackend(backend));
  writeFileSync(genesis, formatGenesisFile(computeRunAnchor(chain.config, chain.workload)));
  const other = resolveRunConfig({ ...chain.config, seed: "2" });
  writeFileSync(otherGenesis, formatGenesisFile(computeRunAnchor(other, planWorkload(getWorkload("transfer"), { slots: "3", rate: "5", accounts: "8" }, "2").generate())));
}, 120_000);

afterAll(async () => {
  backend.stop();
  await close();
});

/** The URL of a loopback port nothing listens on (taken, then released). */
async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

/** A server that answers every request with `body` (status 200, JSON content type). */
async function serveRaw(body: string, status = 200): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe("xshard send --rpc", () => {
  let results: ResultsFile;
  const out = join(dir, "send");

  beforeAll(async () => {
    const r = await runCli(["send", "--rpc", url, ...WORKLOAD_FLAGS, "--seed", SIM_SEED, "--drain", "12", "--out", out]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain(`results: ${join(out, "results.json")}`);
    results = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as ResultsFile;
  }, 120_000);

  it("writes results.json in the usual schema, protocol as the node reports it", () => {
    expect(results.schema).toBe("xshard.results/1");
    expect(results.protocol).toBe("devnet:delayed:conditional");
    expect(results.config).toMatchObject({ rpc: url, seed: SIM_SEED, slotSeconds: SLOT_MS / 1000, validators: 12, committees: 3, workload: { name: "transfer" } });
  });

  it("every transaction ends with the simulator's outcome, id and slot distances", () => {
    const sim = chain.out.results.txs;
    expect(results.txs.map((t) => [t.index, t.id, t.outcome])).toEqual(sim.map((t) => [t.index, t.id, t.outcome]));
    expect(results.summary.outcomes).toEqual(chain.out.results.summary.outcomes);
    const start = results.config.startSlot as number;
    for (const [i, t] of results.txs.entries()) {
      const s = sim[i]!;
      // POSTed in its submission slot or later (a loaded machine delays it); accepted no earlier
      const accepted = backend.acceptedSlotOf(i)! - start;
      expect(t.submittedSlot).toBeGreaterThanOrEqual(s.submittedSlot);
      expect(accepted).toBeGreaterThanOrEqual(t.submittedSlot);
      // the node's slots, mapped to session slots, keep the simulator's distances
      expect(t.includedSlot! - accepted).toBe(s.includedSlot! - s.submittedSlot);
      expect(t.finalSlot! - accepted).toBe(s.finalSlot! - s.submittedSlot);
      expect(t.footprint).toEqual(s.footprint);
    }
  });

  it("latencies in slots from the chain, in seconds as measured (POST → seen final)", () => {
    const n = results.summary.outcomes.committed + results.summary.outcomes.aborted;
    expect(results.summary.latencySlots.submitToFinal.count).toBe(n);
    expect(results.summary.latencySeconds.submitToFinal.count).toBe(n);
    for (const t of results.txs) {
      // seen final no earlier than the final slot began (the POST was made within its slot)
      expect(t.extra.submitToFinalMs).toBeGreaterThan((t.finalSlot! - t.submittedSlot - 1) * SLOT_MS);
      expect(t.extra.submitToFinalMs).toBeGreaterThanOrEqual(t.extra.submitToInclusionMs ?? 0);
    }
    expect(results.summary.latencySeconds.submitToFinal.p50).toBeGreaterThan(0);
    expect(results.summary.protocol.maxLagSlots).toBe(2);
    // the first heads plus at least the stream's opening event
    expect(results.summary.protocol.headEvents).toBeGreaterThanOrEqual(2);
  });

  it("inputs and --out are checked before any network work", async () => {
    const dead = await deadUrl();
    expect(oneLine(await runCli(["send", "--rpc", dead, ...WORKLOAD_FLAGS, "--out", "/dev/null/x"]))).toMatch(/^xshard: --out \/dev\/null\/x: /);
    expect(oneLine(await runCli(["send", "--rpc", dead, "--workload", "transfer", "--rate", "-1", "--out", join(dir, "x")]))).toMatch(/rate/);
    expect(oneLine(await runCli(["send", "--rpc", "ftp://x", ...WORKLOAD_FLAGS, "--out", join(dir, "x")]))).toMatch(/--rpc must be the http\(s\) URL/);
    expect(oneLine(await runCli(["send", ...WORKLOAD_FLAGS, "--out", join(dir, "x")]))).toMatch(/send needs --rpc URL/);
    expect(oneLine(await runCli(["send", "--rpc", url, ...WORKLOAD_FLAGS, "--drain", "1.5", "--out", join(dir, "x")]))).toMatch(/--drain must be an integer/);
    const r = await runCli(["send", "--rpc", dead, ...WORKLOAD_FLAGS, "--out", join(dir, "x")]);
    expect(r.code).toBe(2);
    expect(oneLine(r)).toBe(`xshard: cannot reach ${dead}: ECONNREFUSED`);
  });

  it("a workload the network's genesis does not hold: every transaction rejected with the node's code", async () => {
    const out = join(dir, "send-other");
    const r = await runCli(["send", "--rpc", url, ...WORKLOAD_FLAGS, "--seed", "2", "--drain", "2", "--out", out]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/the node refused every transaction \(first: TX_UNKNOWN_SENDER: the sender has no account in this genesis\); does its genesis hold this workload/);
    const res = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as ResultsFile;
    expect(res.summary.outcomes.rejected).toBe(chain.workload.submissions.length);
    expect(res.summary.reasons).toEqual({ "TX_UNKNOWN_SENDER: the sender has no account in this genesis": chain.workload.submissions.length });
    expect(res.txs.every((t) => t.includedSlot === null && t.finalSlot === null)).toBe(true);
  }, 60_000);

  it("a node without /v1/config is refused: send cannot pace without the slot length", async () => {
    const b = new SimBackend(chain, { slotMs: SLOT_MS, serveConfig: false });
    const s = await serveBackend(b);
    try {
      expect(oneLine(await runCli(["send", "--rpc", s.url, ...WORKLOAD_FLAGS, "--out", join(dir, "y")]))).toMatch(/does not serve GET \/v1\/config/);
      // status still works: the optional routes answer 503 and are reported as not served
      const r = await runCli(["status", "--rpc", s.url]);
      expect(r.code).toBe(0);
      expect(r.out).toContain("chain      (the node does not serve /v1/config)");
      expect(r.out).toContain("peers      (the node does not list them)");
      const res = await fetch(`${s.url}/v1/peers`);
      expect([res.status, await res.json()]).toEqual([503, { code: "PEERS_UNAVAILABLE", message: "this node does not list its peers" }]);
    } finally {
      b.stop();
      await s.close();
    }
  });
});

describe("compare --with: a devnet's results beside the simulator's", () => {
  const SIM = [...WORKLOAD_FLAGS, "--seed", SIM_SEED, "--validators", "12", "--committee-size", "4", "--shards", "3", "--drain", "12", "--slot-seconds", String(SLOT_MS / 1000)];
  const sent = join(dir, "send", "results.json");

  it("adds the file to the table, summary.csv and the report", async () => {
    const out = join(dir, "compare");
    const r = await runCli(["compare", "--protocols", "delayed:conditional", ...SIM, "--with", sent, "--out", out]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/devnet:delayed:conditional/);
    const csv = readFileSync(join(out, "summary.csv"), "utf8").trim().split("\n");
    expect(csv).toHaveLength(3);
    expect(csv[1]).toMatch(/^delayed:conditional,/);
    expect(csv[2]).toMatch(/^devnet:delayed:conditional,/);
    expect(readFileSync(join(out, "report.html"), "utf8")).toContain("devnet:delayed:conditional");
  }, 120_000);

  it("a file that is not a results file, or a protocol already compared: one line, before anything runs", async () => {
    expect(oneLine(await runCli(["compare", "--protocols", "delayed:conditional", ...SIM, "--with", genesis, "--out", join(dir, "c2")]))).toMatch(
      /--with .*genesis\.json: not a results file \(schema "xshard\.genesis\/1", expected xshard\.results\/1\)/,
    );
    const broken = join(dir, "broken.json");
    const doc = JSON.parse(readFileSync(sent, "utf8"));
    writeFileSync(broken, JSON.stringify({ ...doc, txs: [{ ...doc.txs[0], outcome: "won" }] }));
    expect(oneLine(await runCli(["compare", "--protocols", "delayed:conditional", ...SIM, "--with", broken, "--out", join(dir, "c2")]))).toMatch(/broken\.json: \/txs\/0\/outcome must be equal to one of the allowed values/);
    const same = join(dir, "same.json");
    writeFileSync(same, JSON.stringify({ ...doc, protocol: "delayed:conditional" }));
    expect(oneLine(await runCli(["compare", "--protocols", "delayed:conditional", ...SIM, "--with", same, "--out", join(dir, "c2")]))).toMatch(/protocol delayed:conditional is already in the comparison/);
    expect(oneLine(await runCli(["compare", "--protocols", "delayed:conditional", ...SIM, "--seeds", "2", "--with", sent, "--out", join(dir, "c2")]))).toMatch(/--with cannot be combined with --seeds/);
  });
});

describe("the head event stream", () => {
  it("parses heads events, skips comments and other events, refuses malformed data", () => {
    const h = backend.getHeads();
    expect(parseHeadsEvent(`event: heads\ndata: ${JSON.stringify(h)}`, "x")).toEqual(h);
    expect(parseHeadsEvent(": keep-alive", "x")).toBeUndefined();
    expect(parseHeadsEvent("event: other\ndata: {}", "x")).toBeUndefined();
    expect(() => parseHeadsEvent("event: heads\ndata: {oops", "x")).toThrow(/a heads event is not JSON/);
    expect(() => parseHeadsEvent('event: heads\ndata: {"stage1": 1}', "x")).toThrow(/does not match the API schema/);
  });

  it("streamHeads delivers the server's heads until aborted", async () => {
    const seen: number[] = [];
    const stop = new AbortController();
    const done = new RpcClient(url).streamHeads((h) => {
      seen.push(h.stage1.slot);
      if (seen.length === 3) stop.abort();
    }, stop.signal);
    await done;
    expect(seen).toHaveLength(3);
    expect(seen[2]!).toBeGreaterThan(seen[0]!);
  });
});

describe("statuses in batches: POST /v1/txs/status", () => {
  it("answers in the order asked, null for unknown ids; bad ids and oversized batches are 400", async () => {
    const known = chain.out.results.txs.slice(0, 2).map((t) => `0x${t.id}`);
    const unknown = "0x" + "cd".repeat(32);
    const got = await new RpcClient(url).getTxs([known[0]!, unknown, known[1]!]);
    expect(got.map((s) => s?.id ?? null)).toEqual([known[0], null, known[1]]);
    const post = (body: unknown) => fetch(`${url}/v1/txs/status`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const bad = await post({ ids: ["0x12"] });
    expect([bad.status, ((await bad.json()) as { code: string }).code]).toEqual([400, "API_BAD_REQUEST"]);
    const big = await post({ ids: Array.from({ length: 1025 }, () => unknown) });
    expect([big.status, ((await big.json()) as { code: string }).code]).toEqual([400, "API_BAD_REQUEST"]);
  });

  it("a node without the route: one GET /v1/tx/:id per transaction", async () => {
    const id = `0x${chain.out.results.txs[0]!.id}`;
    const gets: string[] = [];
    const server = createServer((req, res) => {
      res.setHeader("content-type", "application/json");
      if (req.method === "POST") {
        res.writeHead(404);
        res.end(JSON.stringify({ code: "API_NOT_FOUND", message: "no route" }));
        return;
      }
      gets.push(req.url ?? "");
      const asked = (req.url ?? "").split("/").pop();
      res.writeHead(asked === id ? 200 : 404);
      res.end(JSON.stringify(asked === id ? { id, status: "pending" } : { code: "TX_NOT_FOUND", message: "no such transaction" }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const client = new RpcClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      const other = "0x" + "ef".repeat(32);
      expect((await client.getTxs([id, other])).map((s) => s?.status)).toEqual(["pending", undefined]);
      expect(gets).toEqual([`/v1/tx/${id}`, `/v1/tx/${other}`]);
    } finally {
      server.close();
    }
  });
});

describe("xshard status --rpc", () => {
  it("heads, finalized heads, lag per contract and peers, readable and as JSON", async () => {
    const r = await runCli(["status", "--rpc", url]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/chain +delayed:conditional, genesis 0x[0-9a-f]{16}…, slot 200 ms, 12 validators, 3 committees/);
    expect(r.out).toMatch(/stage 1 +head #\d+ slot \d+ 0x[0-9a-f]{16}… +finalized #\d+/);
    expect(r.out).toMatch(/stage 2 +head #\d+/);
    expect(r.out).toMatch(/lag +\d+ contracts, max 2 slots, mean 1\.\d\d slots/);
    expect(r.out).toContain("12D3KooWpeer  /ip4/127.0.0.1/tcp/9000");
    const j = await runCli(["status", "--rpc", url, "--json"]);
    const parsed = JSON.parse(j.out);
    expect(parsed.config.slotMs).toBe(SLOT_MS);
    expect(parsed.heads.stage1.slot).toBeGreaterThanOrEqual(0);
    expect(parsed.peers).toHaveLength(1);
  });

  it("unreachable, not JSON, not the documented shape: one line each", async () => {
    const dead = await deadUrl();
    expect(oneLine(await runCli(["status", "--rpc", dead]))).toBe(`xshard: cannot reach ${dead}: ECONNREFUSED`);
    expect(oneLine(await runCli(["status", "--rpc", "not a url"]))).toMatch(/--rpc must be the http\(s\) URL/);
    expect(oneLine(await runCli(["status"]))).toBe("xshard: status needs --rpc URL (the API of a node)");
    const garbage = await serveRaw("{not json");
    const empty = await serveRaw(JSON.stringify({ stage1: { number: 1 } }));
    try {
      expect(oneLine(await runCli(["status", "--rpc", garbage.url]))).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/v1\/\w+: the answer is not JSON/);
      expect(oneLine(await runCli(["status", "--rpc", empty.url]))).toMatch(/the answer does not match the API schema/);
    } finally {
      garbage.server.close();
      empty.server.close();
    }
  });
});

describe("xshard verify --rpc", () => {
  /** Index and id of a final transaction of the run (waits until the backend serves it final). */
  let id = "";
  beforeAll(async () => {
    const i = chain.out.results.txs.findIndex((t) => t.outcome === "committed");
    id = chain.out.results.txs[i]!.id;
    // submitted by the send test above; wait until final
    for (let k = 0; k < 200 && backend.getTransactionStatus(Buffer.from(id, "hex"))?.status !== "final"; k++) await new Promise((r) => setTimeout(r, 50));
  }, 30_000);

  it("fetches a real proof and checks it against the genesis only; the node's status agrees", async () => {
    const r = await runCli(["verify", "--rpc", url, "--tx", id, "--genesis", genesis]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain(`valid: transaction ${id} committed`);
    expect(r.out).toMatch(/checked against genesis [0-9a-f]{16}…; the node's status agrees/);
  });

  it("refuses a tampered proof, a proof of another chain, and a status that contradicts the proof", async () => {
    try {
      backend.forgeProof = (p) => ({ ...p, values: (p.values as (string | null)[]).map((v, i) => (i === 0 ? "00" : v)) });
      expect(oneLine(await runCli(["verify", "--rpc", url, "--tx", id, "--genesis", genesis]))).toMatch(new RegExp(`${id}/proof: proof: `));
      backend.forgeProof = undefined;
      expect(oneLine(await runCli(["verify", "--rpc", url, "--tx", id, "--genesis", otherGenesis]))).toMatch(/proof: it is for the chain with genesis root/);
      backend.forgeStatus = (s) => ({ ...s, outcome: "aborted" });
      expect(oneLine(await runCli(["verify", "--rpc", url, "--tx", id, "--genesis", genesis]))).toMatch(/the node's status says outcome aborted \(the proof, checked against the anchor, says committed\)/);
    } finally {
      backend.forgeProof = undefined;
      backend.forgeStatus = undefined;
    }
  });

  it("an unknown transaction is the node's 404; missing --tx, files with --rpc, no anchor: one line, before the network", async () => {
    expect(oneLine(await runCli(["verify", "--rpc", url, "--tx", "ab".repeat(32), "--genesis", genesis]))).toMatch(/HTTP 404 PROOF_NOT_FOUND/);
    expect(oneLine(await runCli(["verify", "--rpc", "http://127.0.0.1:1", "--genesis", genesis]))).toMatch(/verify --rpc needs --tx ID/);
    expect(oneLine(await runCli(["verify", "--rpc", "http://127.0.0.1:1", "--tx", id]))).toMatch(/verify needs a trust anchor/);
    expect(oneLine(await runCli(["verify", "--rpc", url, "--tx", id, "--genesis", genesis, "proof.json"]))).toMatch(/not both/);
    expect(oneLine(await runCli(["verify", "--genesis", genesis]))).toMatch(/verify needs proof files, or --rpc URL --tx ID/);
    const garbage = await serveRaw("[1,2", 200);
    try {
      expect(oneLine(await runCli(["verify", "--rpc", garbage.url, "--tx", id, "--genesis", genesis]))).toMatch(/the answer is not JSON/);
    } finally {
      garbage.server.close();
    }
  });
});
