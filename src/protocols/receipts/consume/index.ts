/** The consume modes: name → rule. A new variant registers its rule here. */
import { XshardError } from "../../../errors.js";
import { nonsequentialRule } from "./nonsequential.js";
import { passiveRule } from "./passive.js";
import type { ConsumeRule } from "./rule.js";
import { sequentialRule } from "./sequential.js";

export type { ConsumeRule, PoolEntry } from "./rule.js";

export const CONSUME_RULES: readonly ConsumeRule[] = [nonsequentialRule, sequentialRule, passiveRule];

export function getConsumeRule(mode: string): ConsumeRule {
  const rule = CONSUME_RULES.find((r) => r.mode === mode);
  if (!rule) throw new XshardError("BAD_PARAM", `--consume must be one of ${CONSUME_RULES.map((r) => r.mode).join("|")}, got '${mode}'`, { name: "consume", value: mode });
  return rule;
}

/**
 * The rule of protocol `name`: `receipts:<mode>` fixes the mode; plain `receipts` reads
 * `options.consume` (default nonsequential).
 */
export function resolveConsumeRule(name: string, options: Readonly<Record<string, number | string>>): ConsumeRule {
  const mode = name.includes(":") ? name.slice(name.indexOf(":") + 1) : (options.consume ?? "nonsequential");
  return getConsumeRule(String(mode));
}
