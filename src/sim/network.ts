/**
 * Network delay models (pluggable). A message sent at time t arrives at t + delay. Under the slot
 * convention of DESIGN §1, a message produced in slot s is usable from slot s+1 if it arrives before
 * the next block is built; a delay longer than that pushes it one or more slots later.
 *
 * - `fixed`: every message takes the same time (default 500 ms: well inside a 12 s slot).
 * - `uniform`: uniform in [min, max] ms.
 * - `lognormal`: median and sigma, a common fit for gossip latency (cf. wittgenstein's measured
 *   Ethereum distributions), capped at `max`.
 */
import { XshardError } from "../errors.js";
import { parseDecimalInteger, parseDecimalNumber } from "../numbers.js";
import type { Rng } from "./rng.js";

export interface NetworkModel {
  readonly name: string;
  delayMs(rng: Rng): number;
}

export type NetworkSpec =
  | { kind: "fixed"; ms: number }
  | { kind: "uniform"; min: number; max: number }
  | { kind: "lognormal"; median: number; sigma: number; max: number };

export function createNetworkModel(spec: NetworkSpec): NetworkModel {
  switch (spec.kind) {
    case "fixed":
      requireNonNegative(spec.ms, "ms");
      return { name: `fixed(${spec.ms})`, delayMs: () => spec.ms };
    case "uniform":
      requireNonNegative(spec.min, "min");
      if (spec.max < spec.min) throw new XshardError("BAD_PARAM", "network max below min", { ...spec });
      return { name: `uniform(${spec.min},${spec.max})`, delayMs: (rng) => rng.range(spec.min, spec.max) };
    case "lognormal":
      requireNonNegative(spec.median, "median");
      return {
        name: `lognormal(${spec.median},${spec.sigma})`,
        delayMs: (rng) => {
          // Box–Muller from two seeded uniforms.
          const u1 = Math.max(rng.next(), 1e-12);
          const u2 = rng.next();
          const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
          return Math.min(spec.max, Math.round(spec.median * Math.exp(spec.sigma * z)));
        },
      };
  }
}

/** Largest delay a spec may name, in ms (one day): longer is no network but a partition. */
export const MAX_NETWORK_DELAY_MS = 86_400_000;
/** Largest lognormal sigma (e^(3·10) already exceeds every useful cap). */
export const MAX_NETWORK_SIGMA = 10;

const NETWORK_FORMS = "fixed:MS | uniform:MIN:MAX | lognormal:MEDIAN:SIGMA:MAX";
const FIELDS: Readonly<Record<string, readonly string[]>> = { fixed: ["ms"], uniform: ["min", "max"], lognormal: ["median", "sigma", "max"] };

/**
 * Parses `fixed:500`, `uniform:100:2000`, `lognormal:300:0.6:20000`. Delays are whole
 * milliseconds in [0, MAX_NETWORK_DELAY_MS], sigma a decimal in [0, MAX_NETWORK_SIGMA]; an empty,
 * missing or extra field, `Infinity`, hex or a minimum above its maximum is refused.
 */
export function parseNetworkSpec(text: string): NetworkSpec {
  const [kind = "", ...fields] = text.split(":");
  const names = FIELDS[kind];
  if (names === undefined || fields.length !== names.length) {
    throw new XshardError("BAD_NETWORK", `bad network model '${text}' (${NETWORK_FORMS})`, { text });
  }
  const n = fields.map((f, i) => {
    const name = names[i] as string;
    const v = name === "sigma" ? parseDecimalNumber(f) : parseDecimalInteger(f);
    if (v === undefined) throw new XshardError("BAD_NETWORK", `bad network model '${text}': ${name} must be ${name === "sigma" ? "a decimal number" : "whole milliseconds"}, got '${f}'`, { text, field: name });
    return v;
  });
  const spec: NetworkSpec =
    kind === "fixed"
      ? { kind, ms: n[0] as number }
      : kind === "uniform"
        ? { kind, min: n[0] as number, max: n[1] as number }
        : { kind: "lognormal", median: n[0] as number, sigma: n[1] as number, max: n[2] as number };
  checkNetworkSpec(spec, text);
  return spec;
}

/** The documented ranges of a network spec (also for specs built in code); a typed error naming the field otherwise. */
export function checkNetworkSpec(spec: NetworkSpec, text = JSON.stringify(spec)): void {
  const delays: [string, number][] =
    spec.kind === "fixed" ? [["ms", spec.ms]] : spec.kind === "uniform" ? [["min", spec.min], ["max", spec.max]] : [["median", spec.median], ["max", spec.max]];
  for (const [name, v] of delays) {
    if (!Number.isInteger(v) || v < 0 || v > MAX_NETWORK_DELAY_MS) {
      throw new XshardError("BAD_NETWORK", `bad network model '${text}': ${name} must be whole milliseconds in [0, ${MAX_NETWORK_DELAY_MS}], got ${v}`, { text, field: name });
    }
  }
  if (spec.kind === "lognormal" && !(Number.isFinite(spec.sigma) && spec.sigma >= 0 && spec.sigma <= MAX_NETWORK_SIGMA)) {
    throw new XshardError("BAD_NETWORK", `bad network model '${text}': sigma must be in [0, ${MAX_NETWORK_SIGMA}], got ${spec.sigma}`, { text, field: "sigma" });
  }
  const [lo, hi] = spec.kind === "uniform" ? [spec.min, spec.max] : spec.kind === "lognormal" ? [spec.median, spec.max] : [0, 0];
  if (hi < lo) throw new XshardError("BAD_NETWORK", `bad network model '${text}': max ${hi} is below ${spec.kind === "uniform" ? "min" : "median"} ${lo}`, { text, field: "max" });
}

function requireNonNegative(x: number, name: string): void {
  if (!(x >= 0)) throw new XshardError("BAD_PARAM", `network ${name} must be ≥ 0`, { [name]: x });
}
