/**
 * `xshard devnet`: a deterministic genesis and keys from the seed, N node processes on loopback
 * (each `xshard node`, logging to DIR/node-i/node.log), waits until they are connected, prints
 * each API URL, writes DIR/devnet.json, and stops them all on SIGINT/SIGTERM (docs/node.md).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { XshardError } from "../errors.js";
import { getWorkload, planWorkload } from "../workloads/index.js";
import { parseIntFlag } from "./options.js";
import { parseFollow } from "./node.js";
import { createServer } from "node:net";

/** A TCP port free on loopback now (the OS picks it). */
function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const BIN = fileURLToPath(new URL("../../bin/xshard.js", import.meta.url));

interface Ready {
  api: string;
  peerId: string;
  addresses: string[];
  validators: number[];
  pid: number;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitForFile(path: string, child: ChildProcess, timeoutMs: number): Promise<Ready> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new XshardError("DEVNET_NODE_FAILED", `a node exited with code ${child.exitCode} while starting (see its log)`, { path });
    if (existsSync(path)) return JSON.parse(readFileSync(path, "utf8")) as Ready;
    await sleep(100);
  }
  throw new XshardError("DEVNET_TIMEOUT", `a node did not start within ${timeoutMs / 1000} s (${path})`, { path });
}

async function countPeers(api: string): Promise<number> {
  try {
    const text = await (await fetch(`${api}/metrics`)).text();
    const m = /^xshard_peers (\d+)/m.exec(text);
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Workload parameters for the genesis (`--param k=v`), generated with no transactions. */
export function createWorkloadGenesis(name: string, params: readonly string[], seed: string) {
  const p: Record<string, string> = {};
  for (const kv of params) {
    const m = /^([A-Za-z][A-Za-z0-9]*)=(.+)$/.exec(kv);
    if (!m) throw new XshardError("BAD_PARAM", `--param must be name=value, got '${kv}'`, { param: kv });
    p[m[1] as string] = m[2] as string;
  }
  const plan = planWorkload(getWorkload(name), { ...p, slots: "1", rate: "0" }, seed);
  return plan.generate().genesis;
}

export function addDevnetCommand(program: Command): void {
  program
    .command("devnet")
    .description("start N nodes of a two-stage chain on loopback; writes DIR/devnet.json; Ctrl-C stops them")
    .requiredOption("--nodes <n>", "node processes")
    .option("--validators <n>", "validators (dealt over the nodes)", "16")
    .option("--committees <n>", "Stage-2 contract committees", "4")
    .option("--committee-size <n>", "members per committee (default validators / committees)")
    .option("--slot-ms <ms>", "slot length in milliseconds", "1000")
    .option("--seed <seed>", "seed of the genesis and the keys", "devnet")
    .option("--stage2-mode <mode>", "conditional or strict", "conditional")
    .option("--workload <name>", "workload whose contracts and accounts the genesis holds", "exchange")
    .option("--param <k=v...>", "workload parameters for the genesis (e.g. pools=4 accounts=64)", [])
    .option("--dir <dir>", "directory for the genesis, keys, stores and logs", "xshard-devnet")
    .option("--follow <what>", "what each node executes: all (default) or committees (its validators' committees' contracts; `xshard node --follow`)", "all")
    .action(async (o: Record<string, unknown>) => {
      // The node modules (libp2p, lmdb, fastify) load only when a devnet starts: other commands stay quick to start.
      const { createDevnetFiles, checkDevnetParams, writeDevnetDir } = await import("../node/devnet.js");
      const nodes = parseIntFlag("nodes", o.nodes);
      const validators = parseIntFlag("validators", o.validators);
      const committees = parseIntFlag("committees", o.committees);
      const slotMs = parseIntFlag("slot-ms", o.slotMs);
      const mode = String(o.stage2Mode);
      if (mode !== "conditional" && mode !== "strict") throw new XshardError("BAD_PARAM", "--stage2-mode must be conditional or strict", {});
      const seed = String(o.seed);
      const follow = parseFollow(o.follow);
      const base = { nodes, validators, committees, slotMs, seed, genesisTimeMs: 0, stage2Mode: mode as "conditional" | "strict", genesis: { contracts: [], accounts: [] } };
      checkDevnetParams(base);
      const committeeSize = o.committeeSize === undefined ? undefined : parseIntFlag("committee-size", o.committeeSize);
      const dir = resolve(String(o.dir));
      if (existsSync(join(dir, "devnet.json"))) throw new XshardError("BAD_PARAM", `--dir ${dir} already holds a devnet (devnet.json); choose another directory`, { dir });
      const genesis = createWorkloadGenesis(String(o.workload), o.param as string[], seed);
      const startupMs = 15_000 + 2000 * nodes;
      const files = createDevnetFiles({ ...base, ...(committeeSize === undefined ? {} : { committeeSize }), genesis, genesisTimeMs: Date.now() + startupMs });
      const children: ChildProcess[] = [];
      const info: { api: string; peer: string; validators: number[]; log: string; dir: string; argv: string[]; pid: number }[] = [];
      let stopping = false;
      const stopAll = async (): Promise<void> => {
        stopping = true;
        for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
        const until = Date.now() + 10_000;
        while (children.some((c) => c.exitCode === null && c.signalCode === null) && Date.now() < until) await sleep(100);
        for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
      };
      try {
        // Ports and peer ids are known before any node starts: all start at once, each dialling the others.
        const ports = await Promise.all(Array.from({ length: nodes }, () => findFreePort()));
        const apiPorts = await Promise.all(Array.from({ length: nodes }, () => findFreePort()));
        const planned = await writeDevnetDir(dir, files, ports.map((p2pPort, i) => ({ host: "127.0.0.1", p2pPort, apiPort: apiPorts[i] as number })), { follow });
        const started: { child: ChildProcess; nodeDir: string; log: string; argv: string[] }[] = [];
        for (const [i, p] of planned.entries()) {
          const child = spawn(process.execPath, [BIN, ...p.argv], { stdio: ["ignore", "ignore", "inherit"] });
          children.push(child);
          child.on("exit", (code, sig) => {
            if (!stopping) process.stderr.write(`xshard devnet: node ${i} exited (${sig ?? code})\n`);
          });
          started.push({ child, nodeDir: p.dir, log: p.log, argv: p.argv });
        }
        for (const s of started) {
          const ready = await waitForFile(join(s.nodeDir, "ready.json"), s.child, 180_000);
          info.push({ api: ready.api, peer: ready.addresses[0] ?? "", validators: ready.validators, log: s.log, dir: s.nodeDir, argv: s.argv, pid: ready.pid });
        }
        const until = Date.now() + 60_000;
        for (;;) {
          const peers = await Promise.all(info.map((x) => countPeers(x.api)));
          if (peers.every((p) => p >= nodes - 1)) break;
          if (Date.now() > until) throw new XshardError("DEVNET_TIMEOUT", `nodes not all connected after 60 s (peers: ${peers.join(", ")})`, {});
          await sleep(200);
        }
        writeFileSync(join(dir, "devnet.json"), JSON.stringify({ schema: "xshard.devnet/1", genesis: join(dir, "genesis.json"), genesisTimeMs: files.genesis.genesisTimeMs, slotMs, nodes: info }, null, 2));
        for (const [i, x] of info.entries()) process.stdout.write(`node ${i}: ${x.api}  (validators ${x.validators.join(",")}; log ${x.log})\n`);
        process.stdout.write(`devnet up: ${join(dir, "devnet.json")}; Ctrl-C stops it\n`);
      } catch (e) {
        await stopAll();
        throw e;
      }
      await new Promise<void>((resolve) => {
        process.once("SIGINT", () => resolve());
        process.once("SIGTERM", () => resolve());
      });
      await stopAll();
      process.stdout.write("devnet stopped\n");
    });
}
