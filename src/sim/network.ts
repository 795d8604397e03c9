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

/** Parses `fixed:500`, `uniform:100:2000`, `lognormal:300:0.6:20000`. */
export function parseNetworkSpec(text: string): NetworkSpec {
  const [kind, ...nums] = text.split(":");
  const n = nums.map(Number);
  if (n.some((x) => !Number.isFinite(x))) throw new XshardError("BAD_PARAM", `bad network model '${text}'`, { text });
  if (kind === "fixed" && n.length === 1) return { kind, ms: n[0] as number };
  if (kind === "uniform" && n.length === 2) return { kind, min: n[0] as number, max: n[1] as number };
  if (kind === "lognormal" && n.length === 3) return { kind, median: n[0] as number, sigma: n[1] as number, max: n[2] as number };
  throw new XshardError("BAD_PARAM", `bad network model '${text}' (fixed:MS | uniform:MIN:MAX | lognormal:MEDIAN:SIGMA:MAX)`, { text });
}

function requireNonNegative(x: number, name: string): void {
  if (!(x >= 0)) throw new XshardError("BAD_PARAM", `network ${name} must be ≥ 0`, { [name]: x });
}
