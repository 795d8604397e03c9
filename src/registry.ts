/**
 * The protocol registry: name → implementation. `xshard compare` runs every registered protocol
 * by default, in registration order.
 */
import { XshardError } from "./errors.js";
import { runDelayed } from "./sim/delayed/driver.js";
import { CONGESTION_SUFFIX, runReceipts } from "./sim/receipts/driver.js";
import { CONSUME_RULES } from "./protocols/receipts/consume/index.js";
import { runSync } from "./sim/sync/driver.js";
import { runLock2pc } from "./sim/lock2pc/driver.js";
import type { ProtocolDef } from "./sim/protocol.js";

export type { ProtocolDef, ProtocolRunInput, ProtocolRunOutput, RunConfig, EndState } from "./sim/protocol.js";

const REGISTRY = new Map<string, ProtocolDef>();

export function registerProtocol(def: ProtocolDef): void {
  REGISTRY.set(def.name, def);
}

registerProtocol({
  name: "delayed:strict",
  description: "two-stage delayed-execution chain, the seed's strict rule: a committee waits for finalized affirmations of contracts it does not follow",
  run: (input) => runDelayed(input, "delayed:strict", "strict"),
});
registerProtocol({
  name: "delayed:conditional",
  description: "two-stage delayed-execution chain with conditional affirmations: committees go on with their own results and name the roots they assume",
  run: (input) => runDelayed(input, "delayed:conditional", "conditional"),
});
registerProtocol({
  name: "delayed",
  description: "two-stage delayed-execution chain with --stage2-mode strict|conditional (default conditional); compare lists the two variants",
  inCompare: false,
  run: (input) => runDelayed(input, "delayed"),
});

for (const rule of CONSUME_RULES) {
  registerProtocol({
    name: `receipts:${rule.mode}`,
    description: `asynchronous receipts: segments per shard, one hop per slot; ${rule.description}`,
    run: (input) => runReceipts(input, `receipts:${rule.mode}`),
  });
}
// The same variants with congestion control on (NEP-539; `--congestion on` does the same), so that
// `compare` can run a variant with and without it side by side.
for (const rule of CONSUME_RULES) {
  registerProtocol({
    name: `receipts:${rule.mode}${CONGESTION_SUFFIX}`,
    description: `receipts:${rule.mode} with congestion control (NEP-539): congested shards reject new transactions towards them and limit receipts sent to them`,
    inCompare: false,
    run: (input) => runReceipts(input, `receipts:${rule.mode}${CONGESTION_SUFFIX}`),
  });
}
registerProtocol({
  name: "receipts",
  description: "asynchronous receipts with --consume nonsequential|sequential|passive (default nonsequential); compare lists the three variants",
  inCompare: false,
  run: (input) => runReceipts(input, "receipts"),
});
registerProtocol({
  name: "sync",
  description: "synchronous cross-shard baseline: a transaction runs only if every shard it lists includes it at the same height, else it is retried",
  run: (input) => runSync(input, "sync"),
});
registerProtocol({
  name: "lock2pc",
  description: "lock-based atomic commit (Atomix/S-BAC/2PC): lock every contract on its shard, then commit or abort with the lock proofs",
  run: (input) => runLock2pc(input, "lock2pc"),
});

export function getProtocol(name: string): ProtocolDef {
  const p = REGISTRY.get(name);
  if (!p) throw new XshardError("UNKNOWN_PROTOCOL", `unknown protocol '${name}' (known: ${[...REGISTRY.keys()].join(", ")})`, { name });
  return p;
}

export function listProtocols(): ProtocolDef[] {
  return [...REGISTRY.values()];
}
