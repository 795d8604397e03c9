/** A manual `TimeSource` for node tests: slots move only when a test advances the time. */
import type { TimeSource } from "../../src/node/clock.js";

/** A manual time source: time moves only by `advance`, which fires due timers in order. */
export class ManualTime implements TimeSource {
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private ids = 0;
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
  setTimer(fn: () => void, ms: number): number {
    const id = ++this.ids;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  }
  clearTimer(handle: unknown): void {
    this.timers = this.timers.filter((x) => x.id !== handle);
  }
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const due = this.timers[0];
      if (due === undefined || due.at > end) break;
      this.timers.shift();
      this.t = due.at;
      due.fn();
    }
    this.t = end;
  }
  /** Moves time without firing timers (a stalled process). */
  jump(ms: number): void {
    this.t += ms;
  }
  get pending(): number {
    return this.timers.length;
  }
}
