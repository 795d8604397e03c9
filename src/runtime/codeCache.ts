/**
 * Prepared code (the metered module prepare.ts makes from a contract's bytes) cached by content
 * hash: in memory for the process, and on disk between runs, so that a run whose contracts were
 * prepared before neither loads binaryen nor runs the metering pass.
 *
 * The cache changes no bytes: an entry's key is the sha256 of everything the preparation depends
 * on — the input module, the limits, binaryen's version and the source text of the modules that
 * prepare (prepare, metering, limits, ir, host, constants), so any change to the pass makes new keys — and an
 * entry is used only when its stored key, a sha256 of its fields and bytes, and
 * `WebAssembly.validate` all check out. Anything else (missing, truncated, corrupt, unreadable) is a miss: the code is
 * prepared again and the entry rewritten. Writes go through a temporary file and a rename, and a
 * directory that cannot be written only turns the disk cache off.
 *
 * Where: `node_modules/.cache/xshard/prepared/` of the package (the convention of find-cache-dir),
 * else `$XDG_CACHE_HOME/xshard/prepared/` (or `~/.cache/…`), else nowhere (memory only). A Runtime
 * can name its own directory, or none (`RuntimeOptions.preparedCodeDir`). The location is the only
 * thing read from the environment, and it never affects a result.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { threadId } from "node:worker_threads";
import { sha256, toHex } from "../crypto/hash.js";
import type { PreparedCode, PrepareLimits } from "./prepare.js";
import { WebAssemblyApi } from "./wasm.js";

/** Format of an entry file: MAGIC, u32le header length, header JSON, the prepared bytes. */
const MAGIC = new TextEncoder().encode("xshard.prepared/1\n");
/** Modules whose text decides what preparation produces (next to this file, same extension). */
const PREPARER_MODULES = ["prepare", "metering", "limits", "ir", "host", "constants"];

interface EntryHeader {
  readonly key: string;
  readonly methods: readonly string[];
  readonly instantiationCost: string;
  /** sha256 of the fields above and the prepared bytes (computeEntryDigest). */
  readonly digest: string;
}

/** What an entry's digest covers: every field it carries and the prepared bytes. */
function computeEntryDigest(key: string, methods: readonly string[], instantiationCost: string, bytes: Uint8Array): string {
  return toHex(sha256(JSON.stringify([key, methods, instantiationCost]), bytes));
}

/** What a cache lookup did, for tests and benchmarks. */
export interface CodeCacheStats {
  /** Found in this process's memory. */
  memoryHits: number;
  /** Read from disk and checked. */
  diskHits: number;
  /** Entries found on disk but refused (corrupt, truncated, wrong key): prepared again. */
  rejected: number;
  /** Prepared (binaryen ran). */
  prepared: number;
}

export const codeCacheStats: CodeCacheStats = { memoryHits: 0, diskHits: 0, rejected: 0, prepared: 0 };

const memory = new Map<string, PreparedCode>();
/** Temporary files are named by process, thread and this counter (threads share the pid). */
let tmpCount = 0;
let preparerVersion: string | null | undefined;

/** The directory this module sits in and its extension (.ts from sources, .js from dist). */
function ownLocation(): { dir: URL; ext: string } {
  const url = import.meta.url;
  return { dir: new URL("./", url), ext: url.slice(url.lastIndexOf(".")) };
}

/**
 * sha256 over binaryen's version and the preparing modules' text; null when they cannot be read
 * (then nothing is cached on disk: an entry could not be tied to the code that made it).
 */
function getPreparerVersion(): string | null {
  if (preparerVersion !== undefined) return preparerVersion;
  try {
    const { dir, ext } = ownLocation();
    const require = createRequire(import.meta.url);
    const binaryenVersion = (JSON.parse(readFileSync(require.resolve("binaryen/package.json"), "utf8")) as { version: string }).version;
    const texts = PREPARER_MODULES.map((m) => readFileSync(new URL(`${m}${ext}`, dir)));
    preparerVersion = toHex(sha256("xshard.preparer/1", binaryenVersion, ...texts));
  } catch {
    preparerVersion = null;
  }
  return preparerVersion;
}

/** The key of the prepared form of `wasm` under `limits`, or null when the preparer cannot be identified. */
export function computePreparedKey(wasmHash: Uint8Array, limits: PrepareLimits): string | null {
  const version = getPreparerVersion();
  if (version === null) return null;
  return toHex(sha256(version, wasmHash, `pages=${limits.memoryPages};gas=${limits.initialGas}`));
}

/** The default directory: the package's node_modules/.cache, else the user's cache directory. */
export function defaultPreparedCodeDirs(): string[] {
  const root = fileURLToPath(new URL("../../", import.meta.url));
  const xdg = process.env["XDG_CACHE_HOME"];
  const user = xdg !== undefined && xdg !== "" ? xdg : join(homedir(), ".cache");
  return [join(root, "node_modules", ".cache", "xshard", "prepared"), join(user, "xshard", "prepared")];
}

function encodeEntry(key: string, code: PreparedCode): Uint8Array {
  const methods = [...code.methods];
  const instantiationCost = String(code.instantiationCost);
  const header: EntryHeader = { key, methods, instantiationCost, digest: computeEntryDigest(key, methods, instantiationCost, code.bytes) };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, json.length, true);
  return Buffer.concat([MAGIC, len, json, code.bytes]);
}

/** The entry's prepared code, or null when anything about it is off. */
export function decodeEntry(file: Uint8Array, key: string): PreparedCode | null {
  try {
    if (file.length < MAGIC.length + 4) return null;
    for (let i = 0; i < MAGIC.length; i++) if (file[i] !== MAGIC[i]) return null;
    const headerLen = new DataView(file.buffer, file.byteOffset + MAGIC.length, 4).getUint32(0, true);
    const headerEnd = MAGIC.length + 4 + headerLen;
    if (headerEnd > file.length) return null;
    const header = JSON.parse(new TextDecoder().decode(file.subarray(MAGIC.length + 4, headerEnd))) as EntryHeader;
    if (header.key !== key || !Array.isArray(header.methods) || !header.methods.every((m) => typeof m === "string")) return null;
    if (typeof header.instantiationCost !== "string" || !/^[0-9]+$/.test(header.instantiationCost)) return null;
    const bytes = file.slice(headerEnd);
    if (computeEntryDigest(key, header.methods, header.instantiationCost, bytes) !== header.digest) return null;
    if (!WebAssemblyApi.validate(bytes)) return null;
    return { bytes, methods: new Set(header.methods), instantiationCost: BigInt(header.instantiationCost) };
  } catch {
    return null;
  }
}

function readEntry(dirs: readonly string[], key: string): PreparedCode | null {
  for (const dir of dirs) {
    let file: Uint8Array;
    try {
      file = readFileSync(join(dir, `${key}.bin`));
    } catch {
      continue;
    }
    const code = decodeEntry(file, key);
    if (code !== null) return code;
    codeCacheStats.rejected++;
  }
  return null;
}

/** Writes the entry into the first directory that takes it; a failure only means no disk cache. */
function writeEntry(dirs: readonly string[], key: string, code: PreparedCode): void {
  const data = encodeEntry(key, code);
  for (const dir of dirs) {
    const tmp = join(dir, `${key}.${process.pid}-${threadId}-${++tmpCount}.tmp`);
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(tmp, data);
      renameSync(tmp, join(dir, `${key}.bin`));
      return;
    } catch {
      try {
        rmSync(tmp, { force: true });
      } catch {
        // nothing was written
      }
    }
  }
}

/**
 * The prepared form of `wasm` (whose sha256 is `wasmHash`): from memory, else from the first of
 * `dirs` that holds a sound entry, else from `prepare` (whose errors propagate; failures are not
 * cached), then stored in memory and on disk.
 */
export function getPreparedCode(
  wasm: Uint8Array,
  wasmHash: Uint8Array,
  limits: PrepareLimits,
  dirs: readonly string[],
  prepare: (wasm: Uint8Array, limits: PrepareLimits) => PreparedCode,
): PreparedCode {
  const key = computePreparedKey(wasmHash, limits);
  if (key === null) {
    codeCacheStats.prepared++;
    return prepare(wasm, limits);
  }
  const known = memory.get(key);
  if (known !== undefined) {
    codeCacheStats.memoryHits++;
    return known;
  }
  let code = readEntry(dirs, key);
  if (code !== null) codeCacheStats.diskHits++;
  else {
    codeCacheStats.prepared++;
    code = prepare(wasm, limits);
    writeEntry(dirs, key, code);
  }
  memory.set(key, code);
  return code;
}

/** Forgets the in-memory entries (tests: to read from disk again). */
export function clearPreparedCodeMemory(): void {
  memory.clear();
}
