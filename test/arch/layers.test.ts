/**
 * The layering of docs/ARCHITECTURE.md, checked with dependency-cruiser against the rules in
 * `.dependency-cruiser.cjs`, with no listed exceptions.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

function depcruise(args: string[], cwd = ROOT): { code: number; out: string } {
  try {
    const bin = join(ROOT, "node_modules/.bin/depcruise");
    const out = execFileSync(bin, [...args, "--config", join(ROOT, ".dependency-cruiser.cjs"), "--output-type", "err"], { cwd, encoding: "utf8", stdio: "pipe" });
    return { code: 0, out };
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string };
    return { code: err.status, out: err.stdout + err.stderr };
  }
}

describe("import layering", () => {
  it("no import breaks a layer rule (no listed exceptions)", () => {
    const r = depcruise(["src", "test"]);
    expect(r.out.trim() === "" || r.code === 0, r.out).toBe(true);
    expect(r.code, r.out).toBe(0);
  });

  it("the rules can fail: a protocol importing the simulator is reported", () => {
    // test/arch/fixture holds one protocol rule that imports a driver.
    const r = depcruise(["src"], join(ROOT, "test/arch/fixture"));
    expect(r.code).not.toBe(0);
    expect(r.out).toContain("protocols-are-pure");
  });
});
