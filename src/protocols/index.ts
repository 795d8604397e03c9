/**
 * The protocol registry: name → implementation. `xshard compare` runs every registered protocol
 * by default, in registration order.
 */
import { XshardError } from "../errors.js";
import { runDelayed } from "./delayed/chain.js";
import type { ProtocolDef } from "./types.js";

export type { ProtocolDef, ProtocolRunInput, ProtocolRunOutput, RunConfig, EndState } from "./types.js";

const REGISTRY = new Map<string, ProtocolDef>();

export function registerProtocol(def: ProtocolDef): void {
  REGISTRY.set(def.name, def);
}

registerProtocol({
  name: "delayed",
  description: "two-stage delayed-execution chain (Stage 1 orders and checks fees, Stage 2 committees execute and affirm)",
  run: (input) => runDelayed(input, "delayed"),
});

export function getProtocol(name: string): ProtocolDef {
  const p = REGISTRY.get(name);
  if (!p) throw new XshardError("UNKNOWN_PROTOCOL", `unknown protocol '${name}' (known: ${[...REGISTRY.keys()].join(", ")})`, { name });
  return p;
}

export function listProtocols(): ProtocolDef[] {
  return [...REGISTRY.values()];
}
