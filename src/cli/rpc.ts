/**
 * The HTTP client of a node's API (`src/node/api/`), for `xshard send`, `status` and `verify --rpc`:
 * Node's built-in `fetch`, every answer read with a size limit and checked against the same JSON
 * Schemas the server serialises by (`schema.ts`), so a wrong or hostile server is a typed error,
 * never a crash. It knows nothing of the node behind the API.
 *
 * Errors (each one line): `BAD_PARAM` (not an http(s) URL), `RPC_UNREACHABLE` (no connection),
 * `RPC_TIMEOUT`, `RPC_HTTP_ERROR` (a non-2xx answer: status, and the server's `{code, message}`),
 * `RPC_BAD_RESPONSE` (not JSON, too large, or not the documented shape).
 */
import { createRequire } from "node:module";
import type { ValidateFunction } from "ajv";
import { XshardError } from "../errors.js";
import type { HeadsView, NodeConfigView, PeerView, StateProofView, TxStatusView } from "../node/api/backend.js";
import { MAX_STATUS_BATCH, configSchema, errorSchema, headsSchema, peersSchema, stateProofSchema, statusBatchSchema, txStatusSchema } from "../node/api/schema.js";

/** Default time an answer may take (ms). */
export const RPC_TIMEOUT_MS = 10_000;
/** Largest answer read (a proof is a few kB; heads of a chain with many contracts a few MB). */
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
/** `GET /v1/tx/:id` requests in flight at once where the batch route is missing. */
const FALLBACK_CONCURRENCY = 16;
/** Largest server-sent event (a heads object). */
const MAX_EVENT_BYTES = 4 * 1024 * 1024;

/** The answers' validators, loaded and compiled on first use (at import they cost every command, `run` included, ~0.15 s). */
function compileValidators() {
  const { Ajv } = createRequire(import.meta.url)("ajv") as typeof import("ajv"); // loaded here: ajv is CommonJS
  const ajv = new Ajv({ allErrors: false, strict: false });
  return {
    config: ajv.compile(configSchema),
    heads: ajv.compile(headsSchema),
    peers: ajv.compile(peersSchema),
    tx: ajv.compile(txStatusSchema),
    txs: ajv.compile(statusBatchSchema),
    error: ajv.compile(errorSchema),
    submitted: ajv.compile({ type: "object", required: ["id"], properties: { id: { type: "string", pattern: "^0x[0-9a-fA-F]{64}$" } } }),
    proof: ajv.compile({ type: "object", required: ["schema"], properties: { schema: { type: "string" } } }),
    state: ajv.compile(stateProofSchema),
  };
}
let compiled: ReturnType<typeof compileValidators> | undefined;
function validators(): ReturnType<typeof compileValidators> {
  return (compiled ??= compileValidators());
}

/** `text` as the base URL of a node's API (`http://host:port`, a path prefix kept, no trailing slash). */
export function parseRpcUrl(text: unknown, flag = "rpc"): string {
  const raw = typeof text === "string" ? text.trim() : "";
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:") || url.search !== "" || url.hash !== "") {
    throw new XshardError("BAD_PARAM", `--${flag} must be the http(s) URL of a node's API (e.g. http://127.0.0.1:8545), got '${raw.slice(0, 200)}'`, { name: flag, value: raw.slice(0, 200) });
  }
  return url.href.replace(/\/+$/, "");
}

/** Why a fetch failed, in a few words (`ECONNREFUSED`, `ENOTFOUND`, …). */
function describeFetchError(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return cause.code;
  if (cause?.message === "bad port") return "bad port (fetch refuses this port)";
  if (cause?.message) return cause.message;
  return e instanceof Error ? e.message : String(e);
}

/** Reads at most `max` bytes of a body; more is RPC_BAD_RESPONSE. */
async function readCapped(res: Response, max: number, where: string): Promise<string> {
  const declared = Number(res.headers.get("content-length") ?? "0");
  if (declared > max) throw new XshardError("RPC_BAD_RESPONSE", `${where}: the answer (${declared} bytes) is larger than ${max} bytes`, { where });
  if (res.body === null) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > max) throw new XshardError("RPC_BAD_RESPONSE", `${where}: the answer is larger than ${max} bytes`, { where });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function check<T>(validate: ValidateFunction, value: unknown, where: string): T {
  if (!validate(value)) {
    const e = validate.errors?.[0];
    const detail = e ? `${e.instancePath || "(root)"} ${e.message ?? "is invalid"}` : "is invalid";
    throw new XshardError("RPC_BAD_RESPONSE", `${where}: the answer does not match the API schema: ${detail}`, { where });
  }
  return value as T;
}

/** A refused submission: the node's status and typed error. */
export interface SubmitRefusal {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

export interface RpcClientOptions {
  readonly timeoutMs?: number;
}

export class RpcClient {
  private readonly timeoutMs: number;

  constructor(readonly base: string, opts: RpcClientOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? RPC_TIMEOUT_MS;
  }

  /** One request; resolves to the status and the parsed JSON body (or throws a typed error). */
  private async request(method: string, path: string, body?: Uint8Array | { json: unknown }): Promise<{ status: number; json: unknown; where: string }> {
    const url = this.base + path;
    const where = `${method} ${url}`;
    let res: Response;
    const signal = AbortSignal.timeout(this.timeoutMs);
    try {
      const json = body !== undefined && !(body instanceof Uint8Array);
      res = await fetch(url, {
        method,
        signal,
        headers: body === undefined ? { accept: "application/json" } : { "content-type": json ? "application/json" : "application/octet-stream", accept: "application/json" },
        ...(body === undefined ? {} : { body: json ? JSON.stringify(body.json) : body }),
      });
    } catch (e) {
      if (signal.aborted) throw new XshardError("RPC_TIMEOUT", `${where}: no answer within ${this.timeoutMs / 1000} s`, { url });
      throw new XshardError("RPC_UNREACHABLE", `cannot reach ${this.base}: ${describeFetchError(e)}`, { url });
    }
    let text: string;
    try {
      text = await readCapped(res, MAX_RESPONSE_BYTES, where);
    } catch (e) {
      if (e instanceof XshardError) throw e;
      if (signal.aborted) throw new XshardError("RPC_TIMEOUT", `${where}: the answer did not complete within ${this.timeoutMs / 1000} s`, { url });
      throw new XshardError("RPC_UNREACHABLE", `${where}: the connection broke: ${describeFetchError(e)}`, { url });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      if (res.status >= 300) throw new XshardError("RPC_HTTP_ERROR", `${where}: HTTP ${res.status} (no JSON error body)`, { url, status: res.status });
      throw new XshardError("RPC_BAD_RESPONSE", `${where}: the answer is not JSON`, { url, status: res.status });
    }
    return { status: res.status, json, where };
  }

  /** A 2xx answer's JSON; a non-2xx answer is RPC_HTTP_ERROR with the server's code, unless `allow` lets its code through (→ undefined). */
  private async get(path: string, allow: readonly string[] = []): Promise<{ json: unknown; where: string } | undefined> {
    const r = await this.request("GET", path);
    if (r.status >= 200 && r.status < 300) return r;
    const err = validators().error(r.json) ? (r.json as { code: string; message: string }) : undefined;
    if (err !== undefined && allow.includes(err.code)) return undefined;
    const detail = err ? `${err.code}: ${err.message}` : "(no error body)";
    throw new XshardError("RPC_HTTP_ERROR", `${r.where}: HTTP ${r.status} ${detail}`, { url: this.base + path, status: r.status, serverCode: err?.code });
  }

  private async getChecked<T>(path: string, validate: ValidateFunction, allow: readonly string[] = []): Promise<T | undefined> {
    const r = await this.get(path, allow);
    return r === undefined ? undefined : check<T>(validate, r.json, r.where);
  }

  async getHeads(): Promise<HeadsView> {
    return (await this.getChecked<HeadsView>("/v1/heads", validators().heads)) as HeadsView;
  }

  /** The chain's configuration; undefined if the node does not serve `/v1/config`. */
  async getConfig(): Promise<NodeConfigView | undefined> {
    return this.getChecked<NodeConfigView>("/v1/config", validators().config, ["CONFIG_UNAVAILABLE", "API_NOT_FOUND"]);
  }

  /** Connected peers; undefined if the node does not list them. */
  async getPeers(): Promise<readonly PeerView[] | undefined> {
    const r = await this.getChecked<{ peers: PeerView[] }>("/v1/peers", validators().peers, ["PEERS_UNAVAILABLE", "API_NOT_FOUND"]);
    return r?.peers;
  }

  /** A transaction's status; undefined if the node does not know it (404 TX_NOT_FOUND). */
  async getTx(id: string): Promise<TxStatusView | undefined> {
    const s = await this.getChecked<TxStatusView>(`/v1/tx/${id}`, validators().tx, ["TX_NOT_FOUND"]);
    if (s !== undefined && s.id.toLowerCase() !== id.toLowerCase()) {
      throw new XshardError("RPC_BAD_RESPONSE", `GET ${this.base}/v1/tx/${id}: the answer is about another transaction (${s.id.slice(0, 80)})`, { id });
    }
    return s;
  }

  /** Whether the node serves `POST /v1/txs/status` (learnt from the first try). */
  private batchStatus: boolean | undefined;

  /**
   * Statuses of many transactions (`POST /v1/txs/status`, in batches of MAX_STATUS_BATCH), one
   * entry per id (undefined: unknown); one `GET /v1/tx/:id` each from a node without the route.
   */
  async getTxs(ids: readonly string[]): Promise<(TxStatusView | undefined)[]> {
    const out: (TxStatusView | undefined)[] = [];
    for (let i = 0; i < ids.length; i += MAX_STATUS_BATCH) {
      const chunk = ids.slice(i, i + MAX_STATUS_BATCH);
      const got = this.batchStatus === false ? undefined : await this.postStatusBatch(chunk);
      if (got === undefined) {
        this.batchStatus = false;
        for (let k = 0; k < chunk.length; k += FALLBACK_CONCURRENCY) out.push(...(await Promise.all(chunk.slice(k, k + FALLBACK_CONCURRENCY).map((id) => this.getTx(id)))));
      } else {
        this.batchStatus = true;
        out.push(...got);
      }
    }
    return out;
  }

  private async postStatusBatch(ids: readonly string[]): Promise<(TxStatusView | undefined)[] | undefined> {
    const r = await this.request("POST", "/v1/txs/status", { json: { ids } });
    if (r.status === 404 && validators().error(r.json) && (r.json as { code: string }).code === "API_NOT_FOUND") return undefined;
    if (r.status !== 200) {
      const err = validators().error(r.json) ? (r.json as { code: string; message: string }) : undefined;
      throw new XshardError("RPC_HTTP_ERROR", `${r.where}: HTTP ${r.status} ${err ? `${err.code}: ${err.message}` : "(no error body)"}`, { status: r.status, serverCode: err?.code });
    }
    const { statuses } = check<{ statuses: (TxStatusView | null)[] }>(validators().txs, r.json, r.where);
    if (statuses.length !== ids.length || statuses.some((s, k) => s !== null && s.id.toLowerCase() !== (ids[k] as string).toLowerCase())) {
      throw new XshardError("RPC_BAD_RESPONSE", `${r.where}: the answer does not list the ${ids.length} transactions asked for, in order`, {});
    }
    return statuses.map((s) => s ?? undefined);
  }

  /** A final transaction's light-client proof document (unchecked beyond its `schema` field: the verifier checks it). */
  async getProof(id: string): Promise<unknown> {
    return this.getChecked<unknown>(`/v1/tx/${id}/proof`, validators().proof);
  }

  /** Keys of a contract's latest affirmed state with their witness and root proof (`GET /v1/state/:contract`; unchecked: `xshard state` verifies it). */
  async getState(contract: string, keys: readonly string[]): Promise<StateProofView> {
    return (await this.getChecked<StateProofView>(`/v1/state/${encodeURIComponent(contract)}?keys=${keys.join(",")}`, validators().state)) as StateProofView;
  }

  /** Submits a signed transaction's SSZ bytes: its id, or the node's refusal (4xx with a code). */
  async submit(bytes: Uint8Array): Promise<{ id: string } | SubmitRefusal> {
    const r = await this.request("POST", "/v1/tx", bytes);
    if (r.status === 202 || r.status === 200) return check<{ id: string }>(validators().submitted, r.json, r.where);
    const err = check<{ code: string; message: string }>(validators().error, r.json, r.where);
    if (r.status >= 400 && r.status < 500) return { status: r.status, code: err.code, message: err.message };
    throw new XshardError("RPC_HTTP_ERROR", `${r.where}: HTTP ${r.status} ${err.code}: ${err.message}`, { url: this.base + "/v1/tx", status: r.status, serverCode: err.code });
  }

  /**
   * Follows `GET /v1/events/heads` until `signal` aborts or the server ends the stream; calls
   * `onHeads` with each event's heads (checked against the schema). Resolves when the stream
   * ends; rejects with a typed error if it cannot be opened or carries a malformed event.
   */
  async streamHeads(onHeads: (heads: HeadsView) => void, signal: AbortSignal): Promise<void> {
    const url = `${this.base}/v1/events/heads`;
    let res: Response;
    try {
      res = await fetch(url, { signal, headers: { accept: "text/event-stream" } });
    } catch (e) {
      if (signal.aborted) return;
      throw new XshardError("RPC_UNREACHABLE", `cannot reach ${this.base}: ${describeFetchError(e)}`, { url });
    }
    if (res.status !== 200 || res.body === null) throw new XshardError("RPC_HTTP_ERROR", `GET ${url}: HTTP ${res.status}`, { url, status: res.status });
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const heads = parseHeadsEvent(block, url);
          if (heads !== undefined) onHeads(heads);
        }
        if (buffer.length > MAX_EVENT_BYTES) throw new XshardError("RPC_BAD_RESPONSE", `GET ${url}: an event is larger than ${MAX_EVENT_BYTES} bytes`, { url });
      }
    } catch (e) {
      if (signal.aborted) return;
      if (e instanceof XshardError) throw e;
      throw new XshardError("RPC_UNREACHABLE", `GET ${url}: the event stream broke: ${describeFetchError(e)}`, { url });
    }
  }
}

/** One server-sent event block → heads (undefined for comments and other event names). */
export function parseHeadsEvent(block: string, where: string): HeadsView | undefined {
  let event = "message";
  const data: string[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (line === "" || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
  }
  if (event !== "heads" || data.length === 0) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(data.join("\n"));
  } catch {
    throw new XshardError("RPC_BAD_RESPONSE", `GET ${where}: a heads event is not JSON`, { where });
  }
  return check<HeadsView>(validators().heads, json, `GET ${where}`);
}
