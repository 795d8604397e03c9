/** The strict JSON field readers: hex decoding straight into the result gives what `Buffer.from(s, "hex")` with the old checks gave, errors included. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createFieldReader } from "../../src/chain/fields.js";

const r = createFieldReader("MALFORMED_PROOF", "proof");

/** The rule spelled out: ASCII hex digits only, even length; then the lengths; bytes as Buffer.from decodes them. */
function reference(s: string, bytes?: number, maxBytes = Number.MAX_SAFE_INTEGER): string {
  if (s.length % 2 !== 0 || [...s].some((c) => !"0123456789abcdefABCDEF".includes(c))) return "hex";
  const out = Buffer.from(s, "hex");
  if (out.length * 2 !== s.length) return "hex";
  if (bytes !== undefined && out.length !== bytes) return "exactly";
  if (out.length > maxBytes) return "at most";
  return out.toString("hex");
}

function read(s: string, bytes?: number, maxBytes?: number): string {
  try {
    return Buffer.from(r.hex(s, "proof.x", bytes, maxBytes)).toString("hex");
  } catch (e) {
    const m = (e as Error).message;
    expect(e).toMatchObject({ code: "MALFORMED_PROOF" });
    return m.includes("hex string") ? "hex" : m.includes("exactly") ? "exactly" : m.includes("at most") ? "at most" : m;
  }
}

describe("field readers: hex", () => {
  it("same bytes and same error as decoding with Buffer.from (any case, bad pairs anywhere, wrong lengths)", () => {
    // Also characters above U+00FF whose low byte is a hex digit, which Node's hex decoder reads as that digit.
    const hexish = fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEFxg- \u0130\u0131\u0161\u0230"), maxLength: 40 });
    fc.assert(
      fc.property(hexish, fc.option(fc.nat(20), { nil: undefined }), fc.option(fc.nat(20), { nil: undefined }), (s, bytes, maxBytes) => {
        expect(read(s, bytes, maxBytes)).toBe(reference(s, bytes, maxBytes));
      }),
      { numRuns: 500 },
    );
    expect(read("00ff", 2)).toBe("00ff");
    expect(read("0x00", 2)).toBe("hex");
    expect(read("abc")).toBe("hex");
    expect(read("")).toBe("");
    expect(read("\u0130\u0130")).toBe("hex");
    expect(read("\u0161\u0131", 1)).toBe("hex");
    expect(read("zz".repeat(8), 2)).toBe("hex");
  });
});
