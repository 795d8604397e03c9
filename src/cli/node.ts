/**
 * `xshard node`: one node process from a devnet genesis, a key file and bootstrap addresses
 * (docs/node.md). Runs until SIGINT/SIGTERM, then stops cleanly (store closed).
 */
import { appendFileSync } from "node:fs";
import type { Command } from "commander";
import { XshardError } from "../errors.js";

function port(flag: string, v: unknown): number {
  const n = Number(v);
  if (typeof v !== "string" || !/^[0-9]{1,5}$/.test(v) || n > 65535) throw new XshardError("BAD_PARAM", `--${flag} must be a port number 0–65535 (0: any free port)`, { flag });
  return n;
}

/** `--follow` of `xshard node` and `xshard devnet` (docs/node.md "Following"). */
export function parseFollow(v: unknown): "committees" | "all" {
  if (v !== "committees" && v !== "all") throw new XshardError("BAD_PARAM", "--follow must be committees or all", { flag: "follow" });
  return v;
}

export function addNodeCommand(program: Command): void {
  program
    .command("node")
    .description("run one node of a two-stage chain (genesis file, key file, bootstrap addresses); see docs/node.md")
    .requiredOption("--genesis <file>", "devnet genesis file (xshard.devnet-genesis/1)")
    .requiredOption("--keys <file>", "key file of this node's validators (xshard.keys/1)")
    .option("--bootstrap <addr...>", "peer multiaddrs to dial (/ip4/…/tcp/…/p2p/…)", [])
    .option("--dir <dir>", "data directory (store, ready.json)", "xshard-node")
    .option("--host <ip>", "address to listen on (API and libp2p)", "127.0.0.1")
    .option("--api-port <port>", "HTTP API port (0: any free port)", "0")
    .option("--p2p-port <port>", "libp2p TCP port (0: any free port)", "0")
    .option("--log <file>", "append the log to this file (default: stdout)")
    .option("--follow <what>", "all: every contract (default); committees: only the contracts of this node's validators' committees, the others' read through Merkle witnesses from peers", "all")
    .action(async (o: Record<string, unknown>) => {
      const follow = parseFollow(o.follow);
      // The node modules (libp2p, lmdb, fastify) load only when a node starts: other commands stay quick to start.
      const { loadNodeFiles, startNodeProcess } = await import("../node/process.js");
      const files = { genesisFile: String(o.genesis), keysFile: String(o.keys) };
      loadNodeFiles(files); // bad files fail here, before anything starts
      const apiPort = port("api-port", o.apiPort);
      const p2pPort = port("p2p-port", o.p2pPort);
      const logFile = o.log === undefined ? undefined : String(o.log);
      const log = (line: string): void => {
        const text = `${new Date().toISOString()} ${line}\n`;
        if (logFile) appendFileSync(logFile, text);
        else process.stdout.write(text);
      };
      const running = await startNodeProcess({ ...files, bootstrap: (o.bootstrap as string[]) ?? [], dir: String(o.dir), host: String(o.host), apiPort, p2pPort, log, follow });
      await new Promise<void>((resolve) => {
        const stop = (sig: string): void => {
          log(`${sig}: stopping`);
          resolve();
        };
        process.once("SIGINT", () => stop("SIGINT"));
        process.once("SIGTERM", () => stop("SIGTERM"));
      });
      await running.stop();
      log("stopped");
    });
}
