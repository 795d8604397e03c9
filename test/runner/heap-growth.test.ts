/**
 * `limitHeapGrowth` (src/runnerThreads.ts): a large run limits V8's heap growth, a small one
 * leaves V8's default, and a process started with its own `--heap-growing-percent` keeps it. Run in
 * child processes of the built module (the setting is process-wide).
 */
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

function call(expr: string, nodeFlags: string[] = []): unknown {
  if (!existsSync("dist/runnerThreads.js")) throw new Error("dist/ is missing: run `npm run build`");
  const code = `import("./dist/runnerThreads.js").then((m) => console.log(JSON.stringify({ v: ${expr} ?? null })))`;
  const r = spawnSync(process.execPath, [...nodeFlags, "-e", code], { encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { v: unknown }).v;
}

describe("limitHeapGrowth", () => {
  it("limits the growth from LARGE_RUN_TXS transactions on, not below; an explicit percentage wins, 0 is none", () => {
    expect(call("m.limitHeapGrowth(m.LARGE_RUN_TXS - 1)")).toBeNull();
    expect(call("m.limitHeapGrowth(m.LARGE_RUN_TXS) === m.LARGE_RUN_HEAP_GROWING_PERCENT")).toBe(true);
    expect(call("m.LARGE_RUN_HEAP_GROWING_PERCENT")).toBe(100);
    expect(call("m.limitHeapGrowth(m.LARGE_RUN_TXS, 50)")).toBe(50);
    expect(call("m.limitHeapGrowth(1_000_000, 0)")).toBeNull();
    expect(call("m.limitHeapGrowth(10, 30)")).toBe(30);
  });

  it("keeps the process's own --heap-growing-percent", () => {
    expect(call("m.limitHeapGrowth(1_000_000)", ["--heap-growing-percent=30"])).toBe(30);
    expect(call("m.limitHeapGrowth(10)", ["--heap-growing-percent=30"])).toBe(30);
  });
});
