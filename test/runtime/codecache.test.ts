/**
 * The prepared-code cache (src/runtime/codeCache.ts): it changes no bytes and no result, and it never
 * trusts an entry it cannot check.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sha256 } from "../../src/crypto/hash.js";
import { Runtime, loadLibraryWasm, type CallResult } from "../../src/runtime/index.js";
import { clearPreparedCodeMemory, codeCacheStats, computePreparedKey, decodeEntry } from "../../src/runtime/codeCache.js";
import { prepareModule } from "../../src/runtime/prepare.js";
import { Deployed, u64, user } from "./helpers.js";
import { PROBE_WASM } from "./probe.js";

const alice = user("alice");
const bob = user("bob");
const TOKEN = loadLibraryWasm("token");
const LIMITS = { memoryPages: 16, initialGas: 10_000_000n };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "xshard-codecache-"));
  clearPreparedCodeMemory();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** What registering the token and running a mint and a transfer gives, with the cache counters' change. */
function runToken(preparedCodeDir: string | null): { results: unknown[]; stats: Record<string, number> } {
  const before = { ...codeCacheStats };
  const rt = new Runtime({ preparedCodeDir });
  const token = new Deployed(rt, "tok", rt.registerCode(TOKEN));
  const results: CallResult[] = [
    token.call(alice, "init", [{ bytes: alice }, u64(1000)]),
    token.call(alice, "transfer", [{ bytes: bob }, u64(7)]),
    token.call(alice, "transfer", [{ bytes: bob }, u64(5000)]),
  ];
  const stats = Object.fromEntries(Object.entries(codeCacheStats).map(([k, v]) => [k, v - before[k as keyof typeof before]]));
  return { results: results.map((r) => (r.ok ? { ...r, writes: [...r.writes] } : r)), stats };
}

function entryFile(): string {
  const files = readdirSync(dir).filter((f) => f.endsWith(".bin"));
  expect(files).toHaveLength(1);
  return join(dir, files[0] as string);
}

describe("prepared-code cache", () => {
  it("an entry holds exactly the bytes prepareModule makes", () => {
    runToken(dir);
    const key = computePreparedKey(sha256(TOKEN), LIMITS) as string;
    expect(entryFile()).toBe(join(dir, `${key}.bin`));
    const cached = decodeEntry(readFileSync(entryFile()), key);
    const fresh = prepareModule(TOKEN, LIMITS);
    expect(cached).not.toBeNull();
    expect(Buffer.from(cached?.bytes ?? []).equals(Buffer.from(fresh.bytes))).toBe(true);
    expect([...(cached?.methods ?? [])]).toEqual([...fresh.methods]);
    expect(cached?.instantiationCost).toBe(fresh.instantiationCost);
  });

  it("a run from the disk cache prepares nothing and gives the same results, instruction counts included", () => {
    const first = runToken(dir);
    expect(first.stats).toMatchObject({ prepared: 1, diskHits: 0 });
    clearPreparedCodeMemory();
    const second = runToken(dir);
    expect(second.stats).toMatchObject({ prepared: 0, diskHits: 1, rejected: 0 });
    expect(second.results).toEqual(first.results);
    const third = runToken(dir); // same process: from memory
    expect(third.stats).toMatchObject({ prepared: 0, diskHits: 0, memoryHits: 1 });
    expect(third.results).toEqual(first.results);
    clearPreparedCodeMemory();
    expect(runToken(null).results).toEqual(first.results); // no cache at all
  });

  const corruptions: [string, (file: Buffer) => Buffer][] = [
    ["a flipped byte in the code", (f) => { const c = Buffer.from(f); c[c.length - 10] = (c[c.length - 10] as number) ^ 0xff; return c; }],
    ["a truncated file", (f) => f.subarray(0, f.length - 100)],
    ["a file cut inside its header", (f) => f.subarray(0, 30)],
    ["garbage", () => Buffer.from("not an entry at all")],
    ["an empty file", () => Buffer.alloc(0)],
    ["a changed instantiation cost", (f) => Buffer.from(f.toString("latin1").replace(/"instantiationCost":"\d+"/, '"instantiationCost":"1"'), "latin1")],
  ];
  for (const [what, corrupt] of corruptions) {
    it(`an entry with ${what} is refused, prepared again and rewritten`, () => {
      const first = runToken(dir);
      const file = entryFile();
      const good = readFileSync(file);
      writeFileSync(file, corrupt(good));
      clearPreparedCodeMemory();
      const again = runToken(dir);
      expect(again.stats).toMatchObject({ rejected: 1, prepared: 1, diskHits: 0 });
      expect(again.results).toEqual(first.results);
      expect(readFileSync(file).equals(good)).toBe(true);
    });
  }

  it("an entry is tied to its key: a sound entry under another module's name is refused", () => {
    const probeKey = computePreparedKey(sha256(PROBE_WASM), LIMITS) as string;
    runToken(dir);
    writeFileSync(join(dir, `${probeKey}.bin`), readFileSync(entryFile()));
    clearPreparedCodeMemory();
    const before = codeCacheStats.rejected;
    const rt = new Runtime({ preparedCodeDir: dir });
    const probe = new Deployed(rt, "probe", rt.registerCode(PROBE_WASM));
    expect(codeCacheStats.rejected).toBe(before + 1);
    expect(probe.ok(alice, "bump").bytes).toEqual(new Uint8Array([1, 0, 0, 0]));
  });

  it("the limits are part of the key", () => {
    const a = computePreparedKey(sha256(TOKEN), LIMITS);
    expect(computePreparedKey(sha256(TOKEN), { ...LIMITS, memoryPages: 8 })).not.toBe(a);
    expect(computePreparedKey(sha256(TOKEN), { ...LIMITS, initialGas: 5n })).not.toBe(a);
    expect(computePreparedKey(sha256(PROBE_WASM), LIMITS)).not.toBe(a);
  });

  it("a directory that cannot be written only turns the disk cache off", () => {
    const blocker = join(dir, "file");
    writeFileSync(blocker, "x");
    const reference = runToken(null);
    clearPreparedCodeMemory();
    const r = runToken(join(blocker, "cache"));
    expect(r.stats).toMatchObject({ prepared: 1 });
    expect(r.results).toEqual(reference.results);
    expect(readdirSync(dir)).toEqual(["file"]);
  });

  it("bad code is still a typed error, and is not cached", () => {
    const rt = new Runtime({ preparedCodeDir: dir });
    expect(() => rt.registerCode(new Uint8Array([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0]))).toThrow(expect.objectContaining({ code: "BAD_WASM" }));
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe("binaryen only on a miss", () => {
  /** The modules `from` imports statically (type-only imports and dynamic `import()` left out), transitively. */
  function staticImports(from: URL, seen = new Set<string>()): Set<string> {
    const text = readFileSync(from, "utf8");
    for (const m of text.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?\sfrom\s+"([^"]+)";/gms)) {
      const spec = m[1] as string;
      if (!spec.startsWith(".")) {
        seen.add(spec);
        continue;
      }
      const url = new URL(spec.replace(/\.js$/, ".ts"), from);
      if (seen.has(url.href)) continue;
      seen.add(url.href);
      staticImports(url, seen);
    }
    return seen;
  }

  it("the runtime's entry module does not import binaryen, the preparer does", () => {
    const index = new URL("../../src/runtime/index.ts", import.meta.url);
    expect([...staticImports(index)]).not.toContain("binaryen");
    expect([...staticImports(new URL("../../src/runtime/prepareWorker.ts", import.meta.url))]).toContain("binaryen");
  });
});
