/**
 * `xshard send --rpc URL --workload NAME [workload flags…] [--seed S] [--drain N] [--out DIR]`:
 * a workload's transactions, generated exactly as `run` generates them, submitted to a running
 * network at their slots and followed to finality; writes DIR/results.json (protocol
 * `devnet:delayed:conditional` or `devnet:delayed:strict`, as the node reports). The rules of the
 * session are in `sendSession.ts` and docs/node.md "Clients".
 */
import { Option, type Command } from "commander";
import { XshardError } from "../errors.js";
import { DEFAULT_RUN_CONFIG, stringifyResults } from "../runner.js";
import { formatComparisonTable } from "../report/table.js";
import { WORKLOAD_FLAGS, parseIntFlag } from "./options.js";
import { planRunWorkload } from "./workload.js";
import { assertWritableOut, writeOutFile } from "./output.js";
import { createProgress } from "./progress.js";
import { RpcClient, parseRpcUrl } from "./rpc.js";
import { SendSession, formatOutcomeCounts } from "./sendSession.js";

/** Most drain slots `send` waits (as `run`'s range). */
const MAX_DRAIN = 100_000;

export function addSendCommand(program: Command): void {
  const cmd = program
    .command("send")
    .description("submit a workload's transactions to a running network (xshard devnet / node) and follow them to finality; writes DIR/results.json")
    .option("--rpc <url>", "the node's HTTP API, e.g. http://127.0.0.1:8545")
    .option("--workload <name>", "workload to generate (see `xshard workloads`)")
    .option("--scenario <file>", "scenario file (JSON) instead of a generated workload")
    .option("--seed <seed>", "seed of the workload (the network's genesis must hold its accounts and contracts)", DEFAULT_RUN_CONFIG.seed)
    .option("--drain <n>", "slots after the last submission slot to wait for finality", String(DEFAULT_RUN_CONFIG.drainSlots))
    .option("--timeout-ms <ms>", "longest wait for one API answer", "10000")
    .option("--out <dir>", "output directory", "xshard-devnet");
  for (const [, flag, help] of WORKLOAD_FLAGS) cmd.addOption(new Option(flag, help));
  cmd.action(async (o: Record<string, unknown>) => {
    const path = await runSend(o);
    console.log(`results: ${path}`);
  });
}

/** Checks every input, then talks to the node; returns the path of the results file. */
export async function runSend(o: Record<string, unknown>): Promise<string> {
  if (o.rpc === undefined) throw new XshardError("BAD_PARAM", "send needs --rpc URL (the API of a node of the network)");
  const base = parseRpcUrl(o.rpc);
  const drainSlots = parseIntFlag("drain", o.drain);
  if (drainSlots < 0 || drainSlots > MAX_DRAIN) throw new XshardError("BAD_PARAM", `--drain must be an integer in [0, ${MAX_DRAIN}], got ${drainSlots}`, { name: "drain", value: drainSlots });
  const timeoutMs = parseIntFlag("timeout-ms", o.timeoutMs);
  if (timeoutMs < 1 || timeoutMs > 3_600_000) throw new XshardError("BAD_PARAM", `--timeout-ms must be an integer in [1, 3600000], got ${timeoutMs}`, { name: "timeout-ms", value: timeoutMs });
  const seed = String(o.seed);
  if (seed === "") throw new XshardError("BAD_PARAM", "--seed is empty");
  const plan = planRunWorkload(o, seed);
  const dir = assertWritableOut(String(o.out), ["results.json"]);

  const client = new RpcClient(base, { timeoutMs });
  const config = await client.getConfig();
  if (config === undefined) {
    throw new XshardError("RPC_NO_CONFIG", `${base} does not serve GET /v1/config (genesis time and slot length): send cannot pace its submissions`, { url: base });
  }
  const gen = createProgress(`generating ${plan.name}`, "accounts+transactions");
  const workload = plan.generate((done, total) => gen.update(done, total));
  gen.stop();
  const heads = await client.getHeads();

  const progress = createProgress(`send to ${base}`, "transactions final");
  const session = new SendSession({ client, config, heads, workload, seed, drainSlots, onProgress: (done, total) => progress.update(done, total) });
  let results;
  try {
    results = await session.run();
  } finally {
    progress.stop();
  }
  if (session.streamFailed) process.stderr.write("xshard: the head event stream failed; transactions were followed by polling\n");
  const rejected = results.txs.filter((t) => t.outcome === "rejected");
  if (rejected.length > 0 && rejected.length === results.txs.length) {
    process.stderr.write(`xshard: the node refused every transaction (first: ${rejected[0]?.reason}); does its genesis hold this workload (--workload, its flags, --seed)?\n`);
  }
  const path = writeOutFile(dir, "results.json", stringifyResults(results));
  console.log(formatComparisonTable([results]));
  console.log(`${results.summary.submitted} transactions from session slot 0 = chain slot ${session.startSlot}: ${formatOutcomeCounts(results)}`);
  return path;
}
