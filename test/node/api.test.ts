import { afterEach, describe, expect, it } from "vitest";
import fc from "fast-check";
import type { FastifyInstance } from "fastify";
import { XshardError } from "../../src/errors.js";
import { createApiServer, createNodeMetrics, startApiServer, type HeadsView, type NodeBackend, type SubmitInput, type TxStatusView } from "../../src/node/api/index.js";
import { sha256, toHex } from "../../src/crypto/hash.js";

const ZERO = "0x" + "00".repeat(32);

function head(n: number): HeadsView {
  const h = (c: string) => ({ number: n, slot: n, root: "0x" + toHex(sha256(c, String(n))) });
  return { stage1: h("s1"), stage2: h("s2"), stage1Finalized: h("f1"), stage2Finalized: h("f2"), lagByContract: { "0x01": 2 } };
}

/** A fake node: JSON txs are {nonce, sig}; "good" signatures pass; SSZ bytes must start with 0x01. */
class FakeBackend implements NodeBackend {
  readonly txs = new Map<string, TxStatusView>();
  heads = head(0);
  private listeners = new Set<(h: HeadsView) => void>();
  async submitTransaction(input: SubmitInput): Promise<{ id: string }> {
    let material: string;
    if (input.kind === "ssz") {
      if (input.bytes[0] !== 0x01) throw new XshardError("TX_MALFORMED", "SSZ bytes do not decode to a signed transaction", {});
      material = toHex(input.bytes);
    } else {
      const v = input.value as { nonce?: unknown; sig?: unknown };
      if (typeof v !== "object" || v === null || typeof v.nonce !== "number") throw new XshardError("TX_MALFORMED", "missing nonce", {});
      if (v.sig === "boom") throw new Error("database exploded at /secret/path");
      if (v.sig !== "good") throw new XshardError("TX_BAD_SIGNATURE", "signature does not match the sender", {});
      material = `json:${v.nonce}`;
    }
    const id = "0x" + toHex(sha256(material));
    if (this.txs.has(id)) throw new XshardError("TX_DUPLICATE", "already submitted", {});
    this.txs.set(id, { id, status: "pending" });
    return { id };
  }
  getTransactionStatus(id: Uint8Array): TxStatusView | undefined {
    return this.txs.get("0x" + toHex(id));
  }
  getTransactionProof(id: Uint8Array): object | undefined {
    const s = this.txs.get("0x" + toHex(id));
    return s?.status === "final" ? { schema: "xshard.txproof/2", txIndex: 0, leafBranch: [] } : undefined;
  }
  getHeads(): HeadsView {
    return this.heads;
  }
  onHeads(listener: (h: HeadsView) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  setHeads(h: HeadsView): void {
    this.heads = h;
    for (const l of this.listeners) l(h);
  }
  get listenerCount(): number {
    return this.listeners.size;
  }
}

const apps: FastifyInstance[] = [];
async function make(bodyLimitBytes?: number) {
  const backend = new FakeBackend();
  const metrics = createNodeMetrics();
  const internal: unknown[] = [];
  const app = await createApiServer({ backend, metrics, onInternalError: (e) => internal.push(e), ...(bodyLimitBytes !== undefined ? { bodyLimitBytes } : {}) });
  apps.push(app);
  return { app, backend, metrics, internal };
}
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

function expectError(res: { statusCode: number; body: string }, status: number, code: string): void {
  expect(res.statusCode, res.body).toBe(status);
  const body = JSON.parse(res.body) as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(["code", "message"]);
  expect(body.code).toBe(code);
  expect(res.body).not.toMatch(/\n\s+at |\.ts:\d|node_modules|\/secret\//); // no stack trace, no paths
}

describe("HTTP API", () => {
  it("submit (JSON and SSZ) → status pending → final with outcome → proof", async () => {
    const { app, backend } = await make();
    const r = await app.inject({ method: "POST", url: "/v1/tx", payload: { tx: { nonce: 1, sig: "good" } } });
    expect(r.statusCode).toBe(202);
    const id = (r.json() as { id: string }).id;
    expect(id).toMatch(/^0x[0-9a-f]{64}$/);
    const ssz = await app.inject({ method: "POST", url: "/v1/tx", headers: { "content-type": "application/octet-stream" }, payload: Buffer.from([1, 2, 3]) });
    expect(ssz.statusCode).toBe(202);
    expect(backend.txs.size).toBe(2);

    expect((await app.inject({ url: `/v1/tx/${id}` })).json()).toEqual({ id, status: "pending" });
    expectError(await app.inject({ url: `/v1/tx/${id}/proof` }), 404, "PROOF_NOT_FOUND");
    backend.txs.set(id, { id, status: "final", includedSlot: 3, finalSlot: 5, outcome: "committed", returnValues: ["0x2a", null] });
    expect((await app.inject({ url: `/v1/tx/${id}` })).json()).toEqual({ id, status: "final", includedSlot: 3, finalSlot: 5, outcome: "committed", returnValues: ["0x2a", null] });
    const proof = await app.inject({ url: `/v1/tx/${id.toUpperCase().replace("0X", "0x")}/proof` });
    expect(proof.statusCode).toBe(200);
    expect(proof.json()).toMatchObject({ schema: "xshard.txproof/2" });
  });

  it("bad input gets typed 4xx errors {code, message} and changes nothing", async () => {
    const { app, backend, internal } = await make(1024);
    const post = (payload: string | Buffer | object, type = "application/json") => app.inject({ method: "POST", url: "/v1/tx", headers: { "content-type": type }, payload });
    expectError(await post("{not json"), 400, "API_BAD_JSON");
    expectError(await post(""), 400, "API_BAD_JSON");
    expectError(await post({ nonce: 1, sig: "good" }), 400, "API_BAD_BODY");
    expectError(await post([1, 2]), 400, "API_BAD_BODY");
    expectError(await post("null"), 400, "API_BAD_BODY");
    expectError(await post({ tx: { nonce: "x" } }), 400, "TX_MALFORMED");
    expectError(await post({ tx: { nonce: 1, sig: "forged" } }), 400, "TX_BAD_SIGNATURE");
    expectError(await post(Buffer.from([9, 9]), "application/octet-stream"), 400, "TX_MALFORMED");
    expectError(await post(Buffer.alloc(0), "application/octet-stream"), 400, "API_BAD_BODY");
    expectError(await post({ tx: { nonce: 1, pad: "x".repeat(2000) } }), 413, "API_BODY_TOO_LARGE");
    expectError(await post(Buffer.alloc(2000, 1), "application/octet-stream"), 413, "API_BODY_TOO_LARGE");
    expectError(await post("hello", "text/plain"), 415, "API_UNSUPPORTED_MEDIA_TYPE");
    expect(backend.txs.size).toBe(0);

    expect((await post({ tx: { nonce: 7, sig: "good" } })).statusCode).toBe(202);
    expectError(await post({ tx: { nonce: 7, sig: "good" } }), 409, "TX_DUPLICATE");
    expect(backend.txs.size).toBe(1);

    expectError(await app.inject({ url: "/v1/tx/0x1234" }), 400, "API_BAD_TX_ID");
    expectError(await app.inject({ url: "/v1/tx/" + "ab".repeat(32) }), 400, "API_BAD_TX_ID");
    expectError(await app.inject({ url: `/v1/tx/${ZERO}` }), 404, "TX_NOT_FOUND");
    expectError(await app.inject({ url: `/v1/tx/zz/proof` }), 400, "API_BAD_TX_ID");
    expectError(await app.inject({ url: "/v1/nope" }), 404, "API_NOT_FOUND");
    expectError(await app.inject({ method: "DELETE", url: "/v1/heads" }), 404, "API_NOT_FOUND");

    // The node's own fault: 500 INTERNAL, details only to the node's log.
    expectError(await post({ tx: { nonce: 1, sig: "boom" } }), 500, "INTERNAL");
    expect(internal.length).toBe(1);
    expect((internal[0] as Error).message).toMatch(/database exploded/);
  });

  it("never answers random input with a 5xx", async () => {
    const { app } = await make(4096);
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), fc.constantFrom("application/json", "application/octet-stream", "text/plain", "application/x-www-form-urlencoded"), async (body, type) => {
        const r = await app.inject({ method: "POST", url: "/v1/tx", headers: { "content-type": type }, payload: body });
        expect(r.statusCode).toBeGreaterThanOrEqual(200);
        expect(r.statusCode).toBeLessThan(500);
        if (r.statusCode >= 400) expect(Object.keys(r.json() as object).sort()).toEqual(["code", "message"]);
      }),
      { numRuns: 150, seed: 13 },
    );
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 100 }), async (id) => {
        const r = await app.inject({ url: `/v1/tx/${encodeURIComponent(id)}` });
        expect([400, 404]).toContain(r.statusCode);
      }),
      { numRuns: 150, seed: 14 },
    );
  });

  it("heads, schema and metrics", async () => {
    const { app } = await make();
    expect((await app.inject({ url: "/v1/heads" })).json()).toEqual(head(0));
    await app.inject({ method: "POST", url: "/v1/tx", payload: { tx: { nonce: 1, sig: "good" } } });
    await app.inject({ method: "POST", url: "/v1/tx", payload: { tx: { nonce: 2, sig: "bad" } } });
    const schema = (await app.inject({ url: "/v1/schema" })).json() as { routes: { url: string }[] };
    expect(schema.routes.map((r) => r.url)).toEqual(expect.arrayContaining(["/v1/tx", "/v1/tx/:id", "/v1/tx/:id/proof", "/v1/heads", "/v1/events/heads", "/metrics"]));
    const m = await app.inject({ url: "/metrics" });
    expect(m.statusCode).toBe(200);
    expect(m.headers["content-type"]).toMatch(/text\/plain/);
    expect(m.body).toMatch(/xshard_api_requests_total\{route="\/v1\/tx",status="202"\} 1/);
    expect(m.body).toMatch(/xshard_api_requests_total\{route="\/v1\/tx",status="400"\} 1/);
    expect(m.body).toMatch(/xshard_submitted_transactions_total\{result="rejected"\} 1/);
  });

  it("streams heads as server-sent events: the current heads, then each change", async () => {
    const { app, backend } = await make();
    const url = await startApiServer(app);
    const ctl = new AbortController();
    const res = await fetch(`${url}/v1/events/heads`, { signal: ctl.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    let buf = "";
    const nextEvent = async (): Promise<{ event: string; data: unknown }> => {
      while (!buf.includes("\n\n")) {
        const { value, done } = await reader.read();
        if (done) throw new Error("stream ended");
        buf += dec.decode(value);
      }
      const i = buf.indexOf("\n\n");
      const raw = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const event = /^event: (.*)$/m.exec(raw)![1]!;
      return { event, data: JSON.parse(/^data: (.*)$/m.exec(raw)![1]!) };
    };
    expect(await nextEvent()).toEqual({ event: "heads", data: head(0) });
    backend.setHeads(head(1));
    backend.setHeads(head(2));
    expect(await nextEvent()).toEqual({ event: "heads", data: head(1) });
    expect(await nextEvent()).toEqual({ event: "heads", data: head(2) });
    expect(backend.listenerCount).toBe(1);
    ctl.abort();
    for (let i = 0; i < 100 && backend.listenerCount > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(backend.listenerCount).toBe(0); // the stream's listener is removed when the client leaves
  });

  it("closes cleanly with a client still streaming", async () => {
    const { app, backend } = await make();
    const url = await startApiServer(app);
    const res = await fetch(`${url}/v1/events/heads`);
    const reader = res.body!.getReader();
    await reader.read();
    await app.close();
    apps.splice(apps.indexOf(app), 1);
    for (;;) {
      const { done } = await reader.read().catch(() => ({ done: true }));
      if (done) break;
    }
    expect(backend.listenerCount).toBe(0);
  });
});
