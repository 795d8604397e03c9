import { describe, expect, it } from "vitest";
import { SlotClock, computeSlotAt, computeSlotStartMs } from "../../src/node/clock.js";
import { ManualTime } from "./manualTime.js";


const GENESIS = 1_700_000_000_000;

describe("slot clock", () => {
  it("maps wall time to slots from genesis", () => {
    const cfg = { genesisTimeMs: GENESIS, slotMs: 1000 };
    expect(computeSlotAt(cfg, GENESIS)).toBe(0);
    expect(computeSlotAt(cfg, GENESIS + 999)).toBe(0);
    expect(computeSlotAt(cfg, GENESIS + 1000)).toBe(1);
    expect(computeSlotAt(cfg, GENESIS - 1)).toBe(-1);
    expect(computeSlotStartMs(cfg, 42)).toBe(GENESIS + 42_000);
    const c = new SlotClock({ genesisTimeMs: GENESIS, slotMs: 250 }, new ManualTime(GENESIS + 1_100));
    expect(c.getCurrentSlot()).toBe(4);
    expect(c.getMsIntoSlot()).toBe(100);
    expect(c.getMsUntilSlot(6)).toBe(400);
    expect(c.getMsUntilSlot(2)).toBe(0);
  });

  it("ticks every slot in order, from before genesis", () => {
    const time = new ManualTime(GENESIS - 2_500);
    const clock = new SlotClock({ genesisTimeMs: GENESIS, slotMs: 1000 }, time);
    const seen: [number, number][] = [];
    clock.onSlot((s) => seen.push([s, time.now()]));
    clock.start();
    expect(clock.isBeforeGenesis()).toBe(true);
    expect(seen).toEqual([]);
    time.advance(2_500 + 3_000);
    expect(seen).toEqual([
      [0, GENESIS],
      [1, GENESIS + 1000],
      [2, GENESIS + 2000],
      [3, GENESIS + 3000],
    ]);
    clock.stop();
    time.advance(5_000);
    expect(seen.length).toBe(4);
    expect(time.pending).toBe(0);
  });

  it("after a stall it delivers each missed slot once, in order", () => {
    const time = new ManualTime(GENESIS + 10_500);
    const clock = new SlotClock({ genesisTimeMs: GENESIS, slotMs: 1000 }, time);
    const seen: number[] = [];
    const off = clock.onSlot((s) => seen.push(s));
    clock.start();
    expect(seen).toEqual([10]); // the current slot at start
    time.jump(3_700); // the process was stalled
    time.advance(1);
    expect(seen).toEqual([10, 11, 12, 13, 14]);
    time.advance(1_000);
    expect(seen).toEqual([10, 11, 12, 13, 14, 15]);
    off();
    time.advance(1_000);
    expect(seen.length).toBe(6);
    clock.stop();
  });

  it("waitForSlot resolves when the slot starts", async () => {
    const time = new ManualTime(GENESIS);
    const clock = new SlotClock({ genesisTimeMs: GENESIS, slotMs: 500 }, time);
    let done = false;
    const p = clock.waitForSlot(3).then(() => (done = true));
    time.advance(1_400);
    await Promise.resolve();
    expect(done).toBe(false);
    time.advance(100);
    await p;
    expect(time.now()).toBe(GENESIS + 1_500);
  });

  it("bad configuration is a typed error", () => {
    expect(() => new SlotClock({ genesisTimeMs: GENESIS, slotMs: 0 })).toThrow(expect.objectContaining({ code: "CLOCK_BAD_CONFIG" }));
    expect(() => new SlotClock({ genesisTimeMs: 1.5, slotMs: 1000 })).toThrow(expect.objectContaining({ code: "CLOCK_BAD_CONFIG" }));
  });

  it("the system time source ticks for real (short slots)", async () => {
    // Genesis a little ahead, so the first tick is slot 0 however slowly this line is reached.
    const clock = new SlotClock({ genesisTimeMs: Date.now() + 30, slotMs: 20 });
    const seen: number[] = [];
    clock.onSlot((s) => seen.push(s));
    clock.start();
    await new Promise((r) => setTimeout(r, 160));
    clock.stop();
    expect(seen[0]).toBe(0);
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen).toEqual(seen.map((_, i) => i)); // consecutive
  });
});
