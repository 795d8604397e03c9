/**
 * Determinism across engines (issue 14 §3): metering, not the host engine, decides how deep a
 * contract may recurse. Hostile modules run in child processes under several `node --stack-size`
 * values (KiB), each from sources transpiled afresh, and must give byte-identical results.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MODULE_LIMITS } from "../../src/runtime/index.js";
import { wat } from "./helpers.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CHILD = fileURLToPath(new URL("./fixtures/stackChild.mjs", import.meta.url));
/** `node` flags of each child: stack sizes in KiB, and one run with the optimizing tier only. */
const ENGINES = [["--stack-size=300"], ["--stack-size=984"], ["--stack-size=4000"], ["--stack-size=300", "--no-liftoff"]];

/** Transpiles every file of src/ into out/src (no type check: tsc does that), keeping node_modules reachable. */
function transpileSources(out: string): void {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : n.endsWith(".ts") ? [join(dir, n)] : []));
  for (const file of walk(join(ROOT, "src"))) {
    const js = ts.transpileModule(readFileSync(file, "utf8"), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
    }).outputText;
    const target = join(out, relative(ROOT, file)).replace(/\.ts$/, ".js");
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, js);
  }
}

const GO = `
  (import "env" "arg_read" (func $arg_read (param i32 i32)))
  (import "env" "storage_len" (func $storage_len (param i32 i32) (result i32)))
  (memory 1)
  (func (export "go") (call $arg_read (i32.const 0) (i32.const 0)) (drop (call $rec (i32.load (i32.const 0)))))`;
const REC = `(call $rec (i32.sub (local.get $d) (i32.const 1)))`;
const recurse = (then: string, extra = ""): string =>
  `(func $rec (param $d i32) (result i32) ${extra} (if (result i32) (local.get $d) (then ${then}) (else (i32.const 0))))`;

function nested(depth: number, inner: string): string {
  let e = inner;
  for (let i = 0; i < depth; i++) e = `(i32.add (i32.load (i32.const ${4 * (i % 1000)})) ${e})`;
  return e;
}

/** Hostile modules: the cheapest frame, many pending operands, many locals, many parameters, a host call per level. */
const MODULES: Record<string, string> = {
  plain: `(module ${GO} ${recurse(REC)})`,
  operands: `(module ${GO} ${recurse(nested(MODULE_LIMITS.expressionDepth - 8, REC))})`,
  locals: `(module ${GO} ${recurse(`(block (result i32) (local.set $l7 (i64.const 1)) ${REC})`, Array.from({ length: 2_000 }, (_, i) => `(local $l${i} i64)`).join(" "))})`,
  params: `(module ${GO}
    (func $rec (param $d i32) (result i32) (call $wide (local.get $d) ${Array.from({ length: 900 }, (_, i) => `(i64.const ${i})`).join(" ")}))
    (func $wide (param $d i32) ${Array.from({ length: 900 }, (_, i) => `(param $p${i} i64)`).join(" ")} (result i32)
      (if (result i32) (local.get $d)
        (then (call $wide (i32.sub (local.get $d) (i32.const 1)) ${Array.from({ length: 900 }, (_, i) => `(local.get $p${i})`).join(" ")}))
        (else (i32.const 0)))))`,
  hostcalls: `(module ${GO} ${recurse(`(i32.add (call $storage_len (i32.const 0) (i32.const 1)) ${REC})`)})`,
  /** refused at registration (expressionDepth), never by an overflow inside binaryen or the metering pass */
  nested: `(module ${GO} ${recurse(nested(1_000, REC))})`,
};

describe("the metered stack limit triggers first under every --stack-size", () => {
  let dir = "";
  const files: string[] = [];
  beforeAll(() => {
    // inside the package, so that the transpiled sources resolve its dependencies
    mkdirSync(join(ROOT, "node_modules/.cache"), { recursive: true });
    dir = mkdtempSync(join(ROOT, "node_modules/.cache/xshard-engine-"));
    transpileSources(dir);
    for (const [name, text] of Object.entries(MODULES)) {
      const file = join(dir, `${name}.wasm`);
      writeFileSync(file, wat(text));
      files.push(file);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`gives byte-identical depths, outcomes and instruction counts under ${ENGINES.map((e) => e.join(" ")).join("; ")}`, () => {
    const outputs = ENGINES.map((flags) => {
      const r = spawnSync(process.execPath, [...flags, CHILD, join(dir, "src/runtime/index.js"), join(dir, "src/crypto/hash.js"), ...files], {
        encoding: "utf8",
        cwd: ROOT,
      });
      expect(r.stderr, `stderr under ${flags.join(" ")}`).toBe("");
      expect(r.status, `exit status under ${flags.join(" ")}`).toBe(0);
      return r.stdout;
    });
    const first = JSON.parse(outputs[0] as string) as Record<string, { deepest: number; beyond: string; far: string; beyondFromDeepJs: string } | string>;
    const refused = first[files.find((f) => f.endsWith("nested.wasm")) as string];
    expect(refused).toMatch(/^BAD_WASM: expressions nested deeper than the limit of 128$/);
    for (const file of files.filter((f) => !f.endsWith("nested.wasm"))) {
      const r = first[file] as Exclude<(typeof first)[string], string>;
      expect(r?.deepest, file).toBeGreaterThan(0);
      expect(r?.beyond, file).toMatch(/^trap: call stack exhausted \d+$/);
      expect(r?.far, file).toMatch(/^trap: call stack exhausted \d+$/);
      expect(r?.beyondFromDeepJs, file).toBe(r?.beyond);
    }
    for (const out of outputs) expect(out).toBe(outputs[0]);
  });
});
