/**
 * Reading a results file someone hands the CLI (`compare --with FILE`, e.g. the results.json of
 * `xshard send` against a devnet): size-limited, parsed, and checked against the shape of
 * `xshard.results/1` (`src/results/schema.ts`) that the report and the CSV read, so a wrong file is
 * one typed error naming the file and the field, never a crash half-way through a report.
 */
import { readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import type { ValidateFunction } from "ajv";
import { XshardError } from "../errors.js";
import { OUTCOMES } from "../types.js";
import { RESULTS_SCHEMA, type ResultsFile } from "../results/schema.js";

/** Larger files are refused before they are read (a results file of 100 000 transactions is ≈ 40 MB). */
const MAX_RESULTS_BYTES = 512 * 1024 * 1024;

const num = { type: "number" } as const;
const int = { type: "integer" } as const;
const numOrNull = { type: ["number", "null"] } as const;
const intOrNull = { type: ["integer", "null"] } as const;
const figure = { anyOf: [num, { type: "null" }, { type: "array", items: num }] } as const;
const stats = {
  type: "object",
  required: ["count", "mean", "p50", "p90", "p99", "max"],
  properties: { count: int, mean: numOrNull, p50: numOrNull, p90: numOrNull, p99: numOrNull, max: numOrNull },
} as const;
const block = {
  type: "object",
  required: ["submitToInclusion", "submitToFinal", "inclusionToFinal"],
  properties: { submitToInclusion: stats, submitToFinal: stats, inclusionToFinal: stats },
} as const;

/** What the report, the table and the CSV read of a results file. */
export const RESULTS_JSON_SCHEMA = {
  type: "object",
  required: ["schema", "protocol", "config", "summary", "txs", "slots", "trace"],
  properties: {
    schema: { const: RESULTS_SCHEMA },
    protocol: { type: "string", minLength: 1 },
    config: { type: "object" },
    summary: {
      type: "object",
      required: ["submitted", "outcomes", "reasons", "latencySlots", "latencySeconds", "throughputTxPerSlot", "protocol"],
      properties: {
        submitted: int,
        outcomes: { type: "object", required: [...OUTCOMES], properties: Object.fromEntries(OUTCOMES.map((o) => [o, int])) },
        reasons: { type: "object", additionalProperties: int },
        latencySlots: block,
        latencySeconds: block,
        throughputTxPerSlot: num,
        protocol: { type: "object", additionalProperties: figure },
      },
    },
    txs: {
      type: "array",
      items: {
        type: "object",
        required: ["index", "id", "footprint", "submittedSlot", "includedSlot", "finalSlot", "outcome", "reason", "extra"],
        properties: {
          index: int,
          id: { type: "string" },
          footprint: { type: "array", items: { type: "string" } },
          submittedSlot: int,
          includedSlot: intOrNull,
          finalSlot: intOrNull,
          outcome: { enum: [...OUTCOMES] },
          reason: { type: ["string", "null"] },
          extra: { type: "object", additionalProperties: num },
        },
      },
    },
    slots: {
      type: "array",
      items: {
        type: "object",
        required: ["slot", "included", "finalized", "series"],
        properties: { slot: int, included: int, finalized: int, series: { type: "object", additionalProperties: figure } },
      },
    },
    trace: {
      type: "array",
      items: {
        type: "object",
        required: ["tx", "slot", "kind", "where", "detail"],
        properties: { tx: int, slot: int, kind: { type: "string" }, where: { type: "string" }, detail: { type: "string" } },
      },
    },
  },
} as const;

/** Loaded and compiled on first use: at import they cost every command (`run` included) ~0.15 s. */
let compiledValidate: ValidateFunction | undefined;

function compileResultsValidator(): ValidateFunction {
  const { Ajv } = createRequire(import.meta.url)("ajv") as typeof import("ajv"); // ajv is CommonJS
  return new Ajv({ allErrors: false, strict: false }).compile(RESULTS_JSON_SCHEMA);
}

/** The results file at `path`, checked; `BAD_RESULTS_FILE` naming the file (and the field) otherwise. */
export function readResultsFile(path: string, flag: string): ResultsFile {
  const fail = (why: string): never => {
    throw new XshardError("BAD_RESULTS_FILE", `--${flag} ${path}: ${why}`, { file: path });
  };
  let doc: unknown;
  try {
    const size = statSync(path).size;
    if (size > MAX_RESULTS_BYTES) fail(`${size} bytes is larger than ${MAX_RESULTS_BYTES}`);
    doc = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    if (e instanceof XshardError) throw e;
    const err = e as NodeJS.ErrnoException;
    fail(err.code ? `cannot read it (${err.code})` : "not JSON");
  }
  const schema = (doc as { schema?: unknown } | null)?.schema;
  if (schema !== RESULTS_SCHEMA) fail(`not a results file (schema ${JSON.stringify(schema ?? null)?.slice(0, 40)}, expected ${RESULTS_SCHEMA})`);
  const validate = (compiledValidate ??= compileResultsValidator());
  if (!validate(doc)) {
    const e = validate.errors?.[0];
    fail(`${e?.instancePath || "(root)"} ${e?.message ?? "is invalid"}`);
  }
  return doc as ResultsFile;
}
