/**
 * The code version of this xshard: package version + a hash of the code that runs (the compiled
 * JavaScript under dist/, or the TypeScript under src/ when run from source, and the built
 * contracts). Sweep points carry it; a queue worker refuses points of another version, since
 * different code may give different results for the same configuration and seed.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

function listFiles(dir: string, keep: (name: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(path, keep));
    else if (keep(e.name)) out.push(path);
  }
  return out;
}

/** `0.1.0+3f2a9c1b07de`: computed once per process. */
export function getCodeVersion(): string {
  if (cached !== undefined) return cached;
  const root = fileURLToPath(new URL("../..", import.meta.url));
  const code = fileURLToPath(new URL("..", import.meta.url));
  const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
  const files = [
    ...listFiles(code, (n) => n.endsWith(".js") || (n.endsWith(".ts") && !n.endsWith(".d.ts"))),
    ...listFiles(join(root, "build", "contracts"), (n) => n.endsWith(".wasm")),
  ]
    .map((path) => ({ path, name: relative(root, path).split("\\").join("/").replace(/^(src|dist)\//, "code/").replace(/\.(js|ts)$/, "") }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const h = createHash("sha256");
  for (const f of files) h.update(f.name).update("\0").update(readFileSync(f.path)).update("\0");
  cached = `${version}+${h.digest("hex").slice(0, 12)}`;
  return cached;
}
