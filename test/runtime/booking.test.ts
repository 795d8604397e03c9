import { describe, expect, it } from "vitest";
import { Runtime, decodeU64 } from "../../src/runtime/index.js";
import { deploy, u64, user } from "./helpers.js";

const alice = user("alice");
const bob = user("bob");

for (const name of ["train", "hotel"] as const) {
  describe(name, () => {
    it("sells exactly its capacity, then reverts 'sold out'", () => {
      const d = deploy(new Runtime(), name, name, [u64(5)]);
      const tickets = Array.from({ length: 5 }, (_, i) => decodeU64(d.ok(i % 2 === 0 ? alice : bob, "reserve").bytes));
      expect(tickets).toEqual([0n, 1n, 2n, 3n, 4n]);
      expect(decodeU64(d.ok(alice, "available").bytes)).toBe(0n);
      d.fails(alice, "reserve", [], "revert", /^sold out$/);
      expect(d.ok(alice, "holder", [u64(1)]).bytes).toEqual(bob);
    });

    it("cancel is for the holder only and frees the item", () => {
      const d = deploy(new Runtime(), name, name, [u64(1)]);
      const ticket = d.ok(alice, "reserve");
      d.fails(bob, "cancel", [ticket], "revert", /not the holder/);
      d.ok(alice, "cancel", [ticket]);
      d.fails(alice, "holder", [ticket], "revert", /no such ticket/);
      expect(decodeU64(d.ok(bob, "reserve").bytes)).toBe(1n);
      d.fails(alice, "reserve", [], "revert", /sold out/);
    });
  });
}
