/**
 * Network namespaces for node tests (docs/node.md "Network namespaces"): one namespace per node,
 * each with a veth whose other end sits on a bridge in a hub namespace; one more veth joins the
 * hub's bridge to this (the default) namespace, so the test reaches every node's API. Cutting a
 * node's link sets its veth down. Needs root and iproute2; names carry this process's pid, and
 * namespaces left by dead runs are removed first.
 */
import { execFile, execFileSync, spawnSync } from "node:child_process";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** Why namespaces cannot be made here (undefined: they can). */
export function checkNetnsSupport(): string | undefined {
  if (process.platform !== "linux") return `needs Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return "needs root (ip netns add, veth pairs)";
  const r = spawnSync("ip", ["netns", "list"], { encoding: "utf8" });
  if (r.error !== undefined || r.status !== 0) return `needs iproute2's \`ip\` with netns support (${r.error?.message ?? r.stderr.trim()})`;
  return undefined;
}

function ip(...args: string[]): void {
  execFileSync("ip", args, { stdio: ["ignore", "ignore", "pipe"] });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

const PREFIX = "xsnet-";

/** Deletes namespaces of earlier runs whose process is gone (a run killed before its clean-up). */
function removeStale(): void {
  const out = execFileSync("ip", ["netns", "list"], { encoding: "utf8" });
  for (const line of out.split("\n")) {
    const name = line.split(" ")[0] ?? "";
    const m = new RegExp(`^${PREFIX}(\\d+)-`).exec(name);
    if (m && !alive(Number(m[1]))) spawnSync("ip", ["netns", "del", name]);
  }
}

export class NetnsLab {
  readonly hub: string;
  readonly namespaces: string[];
  /** `a.b.c`: node i has `a.b.c.(i+1)`, this namespace `a.b.c.254`. */
  readonly subnet: string;
  private readonly tag: string;
  private made: string[] = [];

  constructor(readonly nodes: number) {
    const pid = process.pid;
    this.tag = pid.toString(36);
    this.hub = `${PREFIX}${pid}-hub`;
    this.namespaces = Array.from({ length: nodes }, (_, i) => `${PREFIX}${pid}-${i}`);
    this.subnet = `10.${150 + (pid % 50)}.${(pid >> 6) % 256}`;
  }

  hostOf(i: number): string {
    return `${this.subnet}.${i + 1}`;
  }

  private link(i: number): string {
    return `xs${this.tag}v${i}`;
  }

  /** Makes the namespaces, the bridge and the links, all up. */
  setup(): void {
    removeStale();
    const br = `xs${this.tag}br`;
    ip("netns", "add", this.hub);
    this.made.push(this.hub);
    ip("-n", this.hub, "link", "set", "lo", "up");
    ip("-n", this.hub, "link", "add", br, "type", "bridge");
    ip("-n", this.hub, "link", "set", br, "up");
    const attach = (inside: string, ns: string | null, outside: string, addr: string): void => {
      ip("link", "add", inside, "type", "veth", "peer", "name", outside);
      ip("link", "set", outside, "netns", this.hub);
      ip("-n", this.hub, "link", "set", outside, "master", br);
      ip("-n", this.hub, "link", "set", outside, "up");
      if (ns !== null) ip("link", "set", inside, "netns", ns);
      const at = ns === null ? [] : ["-n", ns];
      ip(...at, "addr", "add", `${addr}/24`, "dev", inside);
      ip(...at, "link", "set", inside, "up");
    };
    this.namespaces.forEach((ns, i) => {
      ip("netns", "add", ns);
      this.made.push(ns);
      ip("-n", ns, "link", "set", "lo", "up");
      attach(this.link(i), ns, `xs${this.tag}p${i}`, this.hostOf(i));
    });
    // The test's own leg (deleted with the hub namespace, which holds its peer).
    attach(`xs${this.tag}h`, null, `xs${this.tag}hp`, `${this.subnet}.254`);
  }

  /** Node `i`'s link down (`cut`) or up again. */
  setLink(i: number, up: boolean): void {
    ip("-n", this.namespaces[i] as string, "link", "set", this.link(i), up ? "up" : "down");
  }

  /** GET `url` from inside node `i`'s namespace (its own address answers even with its link down). */
  async fetchInside(i: number, url: string): Promise<string> {
    const script = `fetch(${JSON.stringify(url)},{signal:AbortSignal.timeout(10000)}).then(r=>r.text()).then(t=>process.stdout.write(t),e=>{console.error(String(e));process.exit(1)})`;
    const { stdout } = await execFileAsync("ip", ["netns", "exec", this.namespaces[i] as string, process.execPath, "-e", script], { encoding: "utf8" });
    return stdout;
  }

  /** Removes everything it made (namespaces take their veths with them). Safe to call twice. */
  teardown(): void {
    for (const ns of this.made.reverse()) spawnSync("ip", ["netns", "del", ns]);
    this.made = [];
    spawnSync("ip", ["link", "del", `xs${this.tag}h`], { stdio: "ignore" });
  }
}
