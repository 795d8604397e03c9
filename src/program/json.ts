/**
 * The JSON form of programs, for people and scenario files (docs/programs.md "JSON form"):
 * ```json
 * { "steps": [
 *   { "call": "tokenA.transfer", "args": [ {"principal": "exchange"}, {"u64": "100"} ] },
 *   { "pure": "add", "args": [ {"ref": 0}, {"u64": 5} ] },
 *   { "require": {"ref": 0} } ] }
 * ```
 * `call` is `contractId.method`, split on the last dot (methods never contain dots).
 */
import { contractPrincipal, fromHex, toHex } from "../crypto/hash.js";
import { isXshardError, XshardError } from "../errors.js";
import { U64_MAX } from "./constants.js";
import { lit, ref } from "./builder.js";
import { programError } from "./errors.js";
import type { Arg, Program, Step } from "./types.js";
import { isPureOpName, validateProgram } from "./validate.js";
import { encodeBool, encodeU64 } from "./values.js";

export type ArgJson =
  | { readonly hex: string }
  | { readonly u64: number | string }
  | { readonly utf8: string }
  | { readonly bool: boolean }
  | { readonly ref: number }
  | { readonly account: string }
  | { readonly principal: string };

export type StepJson =
  | { readonly call: string; readonly args?: readonly ArgJson[] }
  | { readonly pure: string; readonly args: readonly ArgJson[] }
  | { readonly require: ArgJson };

export interface ProgramJson {
  readonly steps: readonly StepJson[];
}

/** Turns an `{"account": name}` or `{"principal": name}` literal into bytes. */
export type NameResolver = (kind: "account" | "principal", name: string) => Uint8Array;

/** Default resolver: principals are `contractPrincipal(name)`; accounts are unknown (`UNKNOWN_NAME`). */
export function defaultResolveName(kind: "account" | "principal", name: string): Uint8Array {
  if (kind === "principal") return contractPrincipal(name);
  throw programError("UNKNOWN_NAME", "no resolver for account names", { kind, name });
}

/**
 * Reads the JSON form and validates the program. Shape errors throw `BAD_JSON` with the JSON
 * `path`; an unknown op name throws `UNKNOWN_OP`; then `validateProgram`'s errors apply.
 */
export function programFromJson(json: unknown, resolve: NameResolver = defaultResolveName): Program {
  const root = getRecord(json, "$");
  assertOnlyKeys(root, "$", ["steps"]);
  if (!Array.isArray(root.steps)) throw badJson("$.steps", "steps must be an array");
  const program = { steps: root.steps.map((s: unknown, i) => stepFromJson(s, i, `$.steps[${i}]`, resolve)) };
  validateProgram(program);
  return program;
}

/** The JSON form of a program; every literal is written as `{"hex": "0x…"}`. */
export function programToJson(p: Program): ProgramJson {
  return { steps: p.steps.map(stepToJson) };
}

function stepToJson(step: Step): StepJson {
  switch (step.kind) {
    case "call":
      return { call: `${step.contract}.${step.method}`, args: step.args.map(argToJson) };
    case "pure":
      return { pure: step.op, args: step.args.map(argToJson) };
    case "require":
      return { require: argToJson(step.arg) };
  }
}

function argToJson(arg: Arg): ArgJson {
  return arg.kind === "lit" ? { hex: `0x${toHex(arg.bytes)}` } : { ref: arg.step };
}

function stepFromJson(json: unknown, index: number, path: string, resolve: NameResolver): Step {
  const o = getRecord(json, path);
  if ("call" in o) {
    assertOnlyKeys(o, path, ["call", "args"]);
    const target = getString(o.call, `${path}.call`);
    const dot = target.lastIndexOf(".");
    if (dot < 0) throw badJson(`${path}.call`, 'call must be "contractId.method"');
    const args = o.args === undefined ? [] : argsFromJson(o.args, `${path}.args`, resolve);
    return { kind: "call", contract: target.slice(0, dot), method: target.slice(dot + 1), args };
  }
  if ("pure" in o) {
    assertOnlyKeys(o, path, ["pure", "args"]);
    const op = getString(o.pure, `${path}.pure`);
    if (!isPureOpName(op)) throw programError("UNKNOWN_OP", "unknown pure op", { step: index, op, path: `${path}.pure` });
    return { kind: "pure", op, args: argsFromJson(o.args, `${path}.args`, resolve) };
  }
  if ("require" in o) {
    assertOnlyKeys(o, path, ["require"]);
    return { kind: "require", arg: argFromJson(o.require, `${path}.require`, resolve) };
  }
  throw badJson(path, "a step has one of the keys call, pure, require");
}

function argsFromJson(json: unknown, path: string, resolve: NameResolver): Arg[] {
  if (!Array.isArray(json)) throw badJson(path, "args must be an array");
  return json.map((a: unknown, i) => argFromJson(a, `${path}[${i}]`, resolve));
}

function argFromJson(json: unknown, path: string, resolve: NameResolver): Arg {
  const [key, v] = getSingleEntry(json, path);
  if (key !== "ref") return lit(literalFromJson(json, path, resolve));
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) throw badJson(`${path}.ref`, "ref must be a step index");
  return ref(v);
}

/**
 * Reads one literal — `{"hex"}`, `{"u64"}`, `{"utf8"}`, `{"bool"}`, `{"account"}` or
 * `{"principal"}` — to its bytes (e.g. a contract's init arguments). `path` prefixes error paths.
 */
export function literalFromJson(json: unknown, path = "$", resolve: NameResolver = defaultResolveName): Uint8Array {
  const [key, v] = getSingleEntry(json, path);
  const at = `${path}.${key}`;
  switch (key) {
    case "hex":
      if (typeof v !== "string" || !/^(0x)?([0-9a-fA-F]{2})*$/.test(v)) throw badJson(at, "hex must be 0x-prefixed hex bytes");
      return fromHex(v);
    case "u64":
      return encodeU64(getU64Json(v, at));
    case "utf8":
      return new TextEncoder().encode(getString(v, at));
    case "bool":
      if (typeof v !== "boolean") throw badJson(at, "bool must be true or false");
      return encodeBool(v);
    case "account":
    case "principal":
      return resolveAt(resolve, key, getString(v, at), at);
    default:
      throw badJson(at, "unknown literal kind");
  }
}

/** The only key of an argument object and its value. */
function getSingleEntry(json: unknown, path: string): [string, unknown] {
  const entries = Object.entries(getRecord(json, path));
  const [entry] = entries;
  if (entry === undefined || entries.length !== 1) throw badJson(path, "an argument has exactly one key");
  return entry;
}

/** A u64 from a non-negative safe integer or a decimal string. */
function getU64Json(v: unknown, path: string): bigint {
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v === "string" && /^[0-9]{1,20}$/.test(v) && BigInt(v) <= U64_MAX) return BigInt(v);
  throw badJson(path, "u64 must be a non-negative safe integer or a decimal string below 2^64");
}

/** Calls the resolver; its typed errors gain the JSON path. */
function resolveAt(resolve: NameResolver, kind: "account" | "principal", name: string, path: string): Uint8Array {
  try {
    return resolve(kind, name);
  } catch (e) {
    if (isXshardError(e)) throw new XshardError(e.code, e.message, { ...e.data, path }, { cause: e });
    throw e;
  }
}

/** The value as a plain object. */
function getRecord(json: unknown, path: string): Record<string, unknown> {
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw badJson(path, "expected an object");
  return json as Record<string, unknown>;
}

function assertOnlyKeys(o: Record<string, unknown>, path: string, allowed: readonly string[]): void {
  for (const key of Object.keys(o)) {
    if (!allowed.includes(key)) throw badJson(`${path}.${key}`, "unexpected key");
  }
}

function getString(v: unknown, path: string): string {
  if (typeof v !== "string") throw badJson(path, "expected a string");
  return v;
}

function badJson(path: string, message: string): XshardError {
  return programError("BAD_JSON", message, { path });
}
