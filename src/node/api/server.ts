/**
 * The node's HTTP API on fastify, over an injected `NodeBackend`. Routes and their schemas are in
 * `schema.ts`. Every failure is a JSON `{code, message}` with a 4xx status for bad input (5xx
 * only for the node's own faults, without details); nothing a client sends can crash the server
 * or reveal a stack trace. Bodies are limited (`bodyLimitBytes`, default 128 KiB).
 */
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import type { ServerResponse } from "node:http";
import { XshardError, isXshardError } from "../../errors.js";
import type { HeadsView, NodeBackend, SubmitInput } from "./backend.js";
import { createNodeMetrics, type NodeMetrics } from "./metrics.js";
import { HEX32, MAX_STATE_KEYS, ROUTES } from "./schema.js";
import { MAX_KEY_BYTES } from "../../state/index.js";

export interface ApiServerOptions {
  readonly backend: NodeBackend;
  /** Metrics registry to count requests in and serve at /metrics (a fresh one if absent). */
  readonly metrics?: NodeMetrics;
  /** Largest accepted request body in bytes (JSON or SSZ). */
  readonly bodyLimitBytes?: number;
  /** Told about unexpected (5xx) errors, e.g. to log them; the client sees only `INTERNAL`. */
  readonly onInternalError?: (err: unknown) => void;
}

export const DEFAULT_BODY_LIMIT = 128 * 1024;

interface ApiErrorBody {
  code: string;
  message: string;
}

/** HTTP status of a backend's typed error, from its code's form. */
export function computeHttpStatus(code: string): number {
  if (code.endsWith("_NOT_FOUND")) return 404;
  if (code.endsWith("_DUPLICATE") || code.endsWith("_KNOWN")) return 409;
  if (code.endsWith("_UNAVAILABLE") || code === "MEMPOOL_FULL") return 503;
  return 400;
}

/** Fastify's own request errors → API codes. */
function toApiError(err: FastifyError): { status: number; body: ApiErrorBody } {
  if (err.validation !== undefined) return { status: 400, body: { code: "API_BAD_REQUEST", message: err.message } };
  switch (err.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return { status: 413, body: { code: "API_BODY_TOO_LARGE", message: "request body exceeds the limit" } };
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return { status: 415, body: { code: "API_UNSUPPORTED_MEDIA_TYPE", message: "send application/json or application/octet-stream" } };
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return { status: 400, body: { code: "API_BAD_JSON", message: "the body is not valid JSON" } };
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return { status: 400, body: { code: "API_BAD_REQUEST", message: "content-length does not match the body" } };
  }
  if (err.name === "SyntaxError") return { status: 400, body: { code: "API_BAD_JSON", message: "the body is not valid JSON" } };
  const status = err.statusCode ?? 500;
  if (status >= 400 && status < 500) return { status, body: { code: "API_BAD_REQUEST", message: err.message } };
  return { status: 500, body: { code: "INTERNAL", message: "internal error" } };
}

function parseTxId(raw: string): Uint8Array {
  if (!new RegExp(HEX32).test(raw)) throw new XshardError("API_BAD_TX_ID", "a transaction id is 0x followed by 64 hex digits", { id: raw.slice(0, 80) });
  return new Uint8Array(Buffer.from(raw.slice(2), "hex"));
}

/** `keys=0x…,0x…` → the keys (API_BAD_KEYS: not 1–MAX_STATE_KEYS hex keys of 1–MAX_KEY_BYTES bytes). */
export function parseStateKeys(raw: string): Uint8Array[] {
  const parts = raw.split(",");
  if (raw === "" || parts.length > MAX_STATE_KEYS) throw new XshardError("API_BAD_KEYS", `keys: 1–${MAX_STATE_KEYS} keys, 0x-hex, separated by commas`, {});
  return parts.map((k) => {
    if (!/^0x([0-9a-fA-F]{2})+$/.test(k) || (k.length - 2) / 2 > MAX_KEY_BYTES) throw new XshardError("API_BAD_KEYS", `keys: '${k.slice(0, 40)}' is not 0x-hex of 1–${MAX_KEY_BYTES} bytes`, {});
    return new Uint8Array(Buffer.from(k.slice(2), "hex"));
  });
}

function toSubmitInput(body: unknown): SubmitInput {
  if (Buffer.isBuffer(body)) {
    if (body.length === 0) throw new XshardError("API_BAD_BODY", "empty SSZ body", {});
    return { kind: "ssz", bytes: new Uint8Array(body.buffer, body.byteOffset, body.byteLength) };
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new XshardError("API_BAD_BODY", "the JSON body must be an object {tx: …}", {});
  const keys = Object.keys(body);
  if (keys.length !== 1 || keys[0] !== "tx") throw new XshardError("API_BAD_BODY", "the JSON body must be exactly {tx: …}", { keys: keys.slice(0, 8) });
  return { kind: "json", value: (body as { tx: unknown }).tx };
}

function formatEvent(heads: HeadsView): string {
  return `event: heads\ndata: ${JSON.stringify(heads)}\n\n`;
}

/** Builds the API (not listening yet: call `app.listen` or use `app.inject`). */
export async function createApiServer(opts: ApiServerOptions): Promise<FastifyInstance> {
  const backend = opts.backend;
  const metrics = opts.metrics ?? createNodeMetrics();
  const bodyLimit = opts.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
  const app = Fastify({ logger: false, bodyLimit, forceCloseConnections: true, return503OnClosing: true });
  const streams = new Set<ServerResponse>();

  app.removeContentTypeParser("text/plain");
  app.addContentTypeParser("application/octet-stream", { parseAs: "buffer", bodyLimit }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err: FastifyError | XshardError, _req: FastifyRequest, reply: FastifyReply) => {
    if (isXshardError(err)) {
      const status = computeHttpStatus(err.code);
      return reply.status(status).send({ code: err.code, message: err.message });
    }
    const mapped = toApiError(err);
    if (mapped.status >= 500) opts.onInternalError?.(err);
    return reply.status(mapped.status).send(mapped.body);
  });
  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send({ code: "API_NOT_FOUND", message: `no route ${req.method} ${req.url.split("?")[0]?.slice(0, 100)}` });
  });
  app.addHook("onResponse", async (req, reply) => {
    const route = req.routeOptions.url ?? "unmatched";
    metrics.apiRequests.inc({ route, status: String(reply.statusCode) });
    metrics.apiRequestSeconds.observe({ route }, reply.elapsedTime / 1000);
  });
  app.addHook("preClose", async () => {
    for (const s of streams) s.end();
    streams.clear();
  });

  app.route({
    ...ROUTES.submit,
    handler: async (req, reply) => {
      const input = toSubmitInput(req.body);
      try {
        const result = await backend.submitTransaction(input);
        metrics.submittedTransactions.inc({ result: "accepted" });
        return reply.status(202).send(result);
      } catch (e) {
        metrics.submittedTransactions.inc({ result: isXshardError(e) ? "rejected" : "error" });
        throw e;
      }
    },
  });

  app.route({
    ...ROUTES.status,
    handler: async (req) => {
      const id = parseTxId((req.params as { id: string }).id);
      const status = await backend.getTransactionStatus(id);
      if (status === undefined) throw new XshardError("TX_NOT_FOUND", "no such transaction", {});
      return status;
    },
  });

  app.route({
    ...ROUTES.statusBatch,
    handler: async (req) => {
      const ids = (req.body as { ids: string[] }).ids;
      const statuses = await Promise.all(ids.map(async (id) => (await backend.getTransactionStatus(parseTxId(id))) ?? null));
      return { statuses };
    },
  });

  app.route({
    ...ROUTES.proof,
    handler: async (req) => {
      const id = parseTxId((req.params as { id: string }).id);
      const proof = await backend.getTransactionProof(id);
      if (proof === undefined) throw new XshardError("PROOF_NOT_FOUND", "no proof: the transaction is unknown or not final yet", {});
      return proof;
    },
  });

  app.route({
    ...ROUTES.state,
    handler: async (req) => {
      const keys = parseStateKeys((req.query as { keys: string }).keys);
      if (backend.getState === undefined) throw new XshardError("STATE_UNAVAILABLE", "this node does not serve contract state", {});
      return backend.getState((req.params as { contract: string }).contract, keys);
    },
  });

  app.route({ ...ROUTES.heads, handler: async () => backend.getHeads() });

  app.route({
    ...ROUTES.config,
    handler: async () => {
      if (backend.getConfig === undefined) throw new XshardError("CONFIG_UNAVAILABLE", "this node does not serve its configuration", {});
      return backend.getConfig();
    },
  });

  app.route({
    ...ROUTES.peers,
    handler: async () => {
      if (backend.getPeers === undefined) throw new XshardError("PEERS_UNAVAILABLE", "this node does not list its peers", {});
      return { peers: backend.getPeers() };
    },
  });

  app.route({
    ...ROUTES.slashings,
    handler: async () => {
      if (backend.getSlashings === undefined) throw new XshardError("SLASHINGS_UNAVAILABLE", "this node does not serve slashings", {});
      return backend.getSlashings();
    },
  });

  app.route({
    ...ROUTES.events,
    handler: (req, reply) => {
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
      res.write(formatEvent(backend.getHeads()));
      const off = backend.onHeads((h) => res.write(formatEvent(h)));
      streams.add(res);
      req.raw.on("close", () => {
        off();
        streams.delete(res);
      });
    },
  });

  app.route({
    ...ROUTES.metrics,
    handler: async (_req, reply) => {
      const text = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).send(text);
    },
  });

  app.route({
    ...ROUTES.schema,
    handler: async () => ({ routes: Object.values(ROUTES) }),
  });

  await app.ready();
  return app;
}

/** Listens on `host:port` (port 0 = any free port) and returns the base URL. */
export async function startApiServer(app: FastifyInstance, host = "127.0.0.1", port = 0): Promise<string> {
  await app.listen({ host, port });
  const addr = app.server.address();
  if (addr === null || typeof addr === "string") throw new XshardError("API_LISTEN_FAILED", "the server has no TCP address", {});
  return `http://${host}:${addr.port}`;
}
