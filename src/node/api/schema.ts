/**
 * The API's documented schema: JSON Schemas of every route's input and output, used by fastify
 * to validate requests and serialise responses, and served at `GET /v1/schema`. docs/node.md
 * describes the same routes in prose.
 */
import { OUTCOMES } from "../../types.js";

export const HEX32 = "^0x[0-9a-fA-F]{64}$";
const hex = { type: "string", pattern: "^0x[0-9a-fA-F]*$" } as const;

export const errorSchema = {
  $id: "Error",
  type: "object",
  required: ["code", "message"],
  properties: { code: { type: "string" }, message: { type: "string" } },
  additionalProperties: false,
} as const;

const headSchema = {
  type: "object",
  required: ["number", "slot", "root"],
  properties: { number: { type: "integer" }, slot: { type: "integer" }, root: hex },
  additionalProperties: false,
} as const;

export const headsSchema = {
  type: "object",
  required: ["stage1", "stage2", "stage1Finalized", "stage2Finalized", "lagByContract"],
  properties: {
    stage1: headSchema,
    stage2: headSchema,
    stage1Finalized: headSchema,
    stage2Finalized: headSchema,
    lagByContract: { type: "object", additionalProperties: { type: "integer" } },
  },
  additionalProperties: false,
} as const;

export const txStatusSchema = {
  type: "object",
  required: ["id", "status"],
  properties: {
    id: hex,
    status: { type: "string", enum: ["pending", "included", "final"] },
    includedSlot: { type: "integer" },
    finalSlot: { type: "integer" },
    outcome: { type: "string", enum: [...OUTCOMES] },
    returnValues: { type: "array", items: { anyOf: [hex, { type: "null" }] } },
    reason: { type: "string" },
  },
  additionalProperties: false,
} as const;

/** `GET /v1/config`: what a client needs to pace and label its work (added for `xshard send`). */
export const configSchema = {
  type: "object",
  required: ["genesisRoot", "genesisTimeMs", "slotMs", "protocol"],
  properties: {
    genesisRoot: hex,
    genesisTimeMs: { type: "integer", minimum: 0 },
    slotMs: { type: "integer", minimum: 1 },
    protocol: { type: "string", enum: ["delayed:conditional", "delayed:strict"] },
    validators: { type: "integer", minimum: 1 },
    committees: { type: "integer", minimum: 1 },
    committeeSize: { type: "integer", minimum: 1 },
    stage2PerSlot: { type: "integer", minimum: 1 },
    blockTxLimit: { type: "integer", minimum: 1 },
    seed: { type: "string" },
  },
  additionalProperties: false,
} as const;

/** `GET /v1/slashings`: validators slashed by evidence. */
export const slashingsSchema = {
  type: "object",
  required: ["slashings"],
  properties: {
    slashings: {
      type: "array",
      items: {
        type: "object",
        required: ["validator", "block", "slot", "kind", "contract", "position", "batchRoot"],
        properties: {
          validator: { type: "integer" },
          block: { type: "integer" },
          slot: { type: "integer" },
          kind: { type: "string", enum: ["signed", "fraud"] },
          contract: { type: "string" },
          position: { type: "integer" },
          batchRoot: { type: "string" },
        },
      },
    },
  },
} as const;

/** `GET /v1/peers`: the node's connected peers. */
export const peersSchema = {
  type: "object",
  required: ["peers"],
  properties: {
    peers: {
      type: "array",
      items: {
        type: "object",
        required: ["id"],
        properties: { id: { type: "string" }, addrs: { type: "array", items: { type: "string" } } },
        additionalProperties: false,
      },
    },
  },
  additionalProperties: false,
} as const;

/** Most ids in one `POST /v1/txs/status`. */
export const MAX_STATUS_BATCH = 1024;

export const statusBatchBodySchema = {
  type: "object",
  required: ["ids"],
  properties: { ids: { type: "array", maxItems: MAX_STATUS_BATCH, items: { type: "string", pattern: HEX32 } } },
  additionalProperties: false,
} as const;

export const statusBatchSchema = {
  type: "object",
  required: ["statuses"],
  properties: { statuses: { type: "array", items: { anyOf: [txStatusSchema, { type: "null" }] } } },
  additionalProperties: false,
} as const;

export const submitJsonBodySchema = {
  type: "object",
  required: ["tx"],
  properties: { tx: { description: "the signed transaction in its JSON form (src/program)" } },
  additionalProperties: false,
} as const;

/** Most keys one `GET /v1/state/:contract` may ask for (they travel in the URL). */
export const MAX_STATE_KEYS = 64;

/** `GET /v1/state/:contract?keys=…`: the `xshard.stateproof/1` document (`StateProofView`). */
export const stateProofSchema = {
  type: "object",
  required: ["schema", "contract", "position", "root", "stage2", "seq", "keys", "values", "witness", "proof"],
  properties: {
    schema: { type: "string", enum: ["xshard.stateproof/1"] },
    contract: { type: "string" },
    position: { type: "integer", minimum: 0 },
    root: { type: "string", pattern: HEX32 },
    stage2: { anyOf: [{ type: "null" }, { type: "object", required: ["number", "slot"], properties: { number: { type: "integer" }, slot: { type: "integer" } }, additionalProperties: false }] },
    seq: { anyOf: [{ type: "null" }, { type: "integer", minimum: 0 }] },
    keys: { type: "array", maxItems: MAX_STATE_KEYS, items: hex },
    values: { type: "array", maxItems: MAX_STATE_KEYS, items: { anyOf: [hex, { type: "null" }] } },
    witness: hex,
    proof: { anyOf: [{ type: "null" }, { type: "object", required: ["schema"], properties: { schema: { type: "string" } }, additionalProperties: true }] },
  },
  additionalProperties: false,
} as const;

const errors = { "4xx": errorSchema, "5xx": errorSchema };

/** Route table: method, path, summary, schemas (request and responses). */
export const ROUTES = {
  submit: {
    method: "POST",
    url: "/v1/tx",
    summary:
      "Submit a signed transaction: `application/json` body `{tx: <JSON form>}`, or `application/octet-stream` body of its SSZ bytes. 202 with its id.",
    schema: {
      response: { 202: { type: "object", required: ["id"], properties: { id: hex }, additionalProperties: false }, ...errors },
    },
  },
  status: {
    method: "GET",
    url: "/v1/tx/:id",
    summary: "A transaction's status: pending, included at slot s, or final at slot f with its outcome and return values. 404 if unknown.",
    schema: {
      params: { type: "object", required: ["id"], properties: { id: { type: "string" } } },
      response: { 200: txStatusSchema, ...errors },
    },
  },
  statusBatch: {
    method: "POST",
    url: "/v1/txs/status",
    summary: `Statuses of up to ${MAX_STATUS_BATCH} transactions at once: JSON body {ids: ["0x…", …]} → {statuses: [status | null, …]} in the same order (null: unknown).`,
    schema: { body: statusBatchBodySchema, response: { 200: statusBatchSchema, ...errors } },
  },
  proof: {
    method: "GET",
    url: "/v1/tx/:id/proof",
    summary: "A final transaction's light-client proof, the xshard.txproof document `xshard verify` reads. 404 if unknown or not final.",
    schema: {
      params: { type: "object", required: ["id"], properties: { id: { type: "string" } } },
      response: { 200: { type: "object", required: ["schema"], properties: { schema: { type: "string" } }, additionalProperties: true }, ...errors },
    },
  },
  state: {
    method: "GET",
    url: "/v1/state/:contract",
    summary: `Keys of a contract's latest affirmed state (query keys=0x…,0x…: 1–${MAX_STATE_KEYS} keys, hex) with their Merkle witness, the state root, and the outcome proof (xshard.txproof) of the transaction that made that state — its signed result leaf commits to the root, so a light client checks the witness against a root from a header it verified (\`xshard state\`). 404 CONTRACT_NOT_FOUND, 400 API_BAD_KEYS, 503 STATE_UNAVAILABLE.`,
    schema: {
      params: { type: "object", required: ["contract"], properties: { contract: { type: "string", minLength: 1, maxLength: 64 } } },
      querystring: { type: "object", required: ["keys"], properties: { keys: { type: "string", maxLength: MAX_STATE_KEYS * 140 } } },
      response: { 200: stateProofSchema, ...errors },
    },
  },
  heads: {
    method: "GET",
    url: "/v1/heads",
    summary: "Heads and finalized heads of both chains, and the lag per contract in Stage-1 slots.",
    schema: { response: { 200: headsSchema, ...errors } },
  },
  config: {
    method: "GET",
    url: "/v1/config",
    summary:
      "The chain's configuration: genesis root, genesis time (ms since the Unix epoch), slot length (ms), protocol (delayed:conditional | delayed:strict) and its sizes. 503 CONFIG_UNAVAILABLE if the node does not serve it.",
    schema: { response: { 200: configSchema, ...errors } },
  },
  peers: {
    method: "GET",
    url: "/v1/peers",
    summary: "The node's connected peers (id, addresses). 503 PEERS_UNAVAILABLE if the node does not serve it.",
    schema: { response: { 200: peersSchema, ...errors } },
  },
  slashings: {
    method: "GET",
    url: "/v1/slashings",
    summary: "Validators slashed by evidence in the Stage-2 blocks this node imported: validator, block and slot, evidence kind (signed | fraud), contract and position of the disproved leaf, disputed batch root. 503 SLASHINGS_UNAVAILABLE if the node does not serve it.",
    schema: { response: { 200: slashingsSchema, ...errors } },
  },
  events: {
    method: "GET",
    url: "/v1/events/heads",
    summary: "Server-sent events: `event: heads` with the heads object as `data`, first the current heads, then each change.",
    schema: {},
  },
  metrics: {
    method: "GET",
    url: "/metrics",
    summary: "Prometheus metrics (text exposition format).",
    schema: {},
  },
  schema: {
    method: "GET",
    url: "/v1/schema",
    summary: "This route table with its JSON Schemas.",
    schema: {},
  },
} as const;
