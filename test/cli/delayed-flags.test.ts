/** The CLI side of the delayed protocols: compare's default list and the flags that reach config.options. */
import { describe, expect, it } from "vitest";
import { parseProtocolList } from "../../src/cli/common.js";
import { runConfigFromFlags } from "../../src/cli/options.js";

describe("delayed on the command line", () => {
  it("compare lists delayed:strict and delayed:conditional first and leaves the alias out", () => {
    const compared = parseProtocolList(undefined);
    expect(compared.slice(0, 2)).toEqual(["delayed:strict", "delayed:conditional"]);
    expect(compared).not.toContain("delayed");
    expect(parseProtocolList("delayed")).toEqual(["delayed"]);
  });

  it("CLI flags reach config.options", () => {
    const c = runConfigFromFlags({ stage2Mode: "strict", assignment: "adaptive", epochSlots: "4", loadBound: "1.5", wrongSigners: "1:0.2", withhold: "3,4" }, "delayed");
    expect(c.options).toEqual({ stage2Mode: "strict", assignment: "adaptive", epochSlots: 4, loadBound: 1.5, wrongSigners: "1:0.2", withhold: "3,4" });
  });
});
