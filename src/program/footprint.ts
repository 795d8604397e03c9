import type { ContractId } from "../types.js";
import type { Program } from "./types.js";

/** The footprint: the contract ids named by the program's call steps, sorted and deduplicated. */
export function computeFootprint(p: Program): ContractId[] {
  const ids = new Set<ContractId>();
  for (const step of p.steps) if (step.kind === "call") ids.add(step.contract);
  return [...ids].sort();
}
