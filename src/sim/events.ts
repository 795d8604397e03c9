/**
 * The simulator's single deterministic event queue, in integer time (milliseconds). Events at the
 * same time run in the order they were scheduled. An event scheduled in the past is refused
 * (as in wittgenstein): that would be a causality bug in the caller.
 */
import { XshardError } from "../errors.js";

interface Scheduled {
  time: number;
  seq: number;
  run: () => void;
}

export class EventQueue {
  private heap: Scheduled[] = [];
  private seq = 0;
  private current = 0;

  get now(): number {
    return this.current;
  }

  get size(): number {
    return this.heap.length;
  }

  schedule(time: number, run: () => void): void {
    if (!Number.isInteger(time)) throw new XshardError("BAD_TIME", `event time must be an integer, got ${time}`, { time });
    if (time < this.current) {
      throw new XshardError("EVENT_IN_PAST", `event at ${time} scheduled at ${this.current}`, { time, now: this.current });
    }
    this.push({ time, seq: this.seq++, run });
  }

  /** Runs events in order until the queue is empty or the next event is after `until`. */
  runUntil(until: number): void {
    while (this.heap.length > 0) {
      const top = this.heap[0] as Scheduled;
      if (top.time > until) break;
      this.pop();
      this.current = top.time;
      top.run();
    }
    if (until > this.current) this.current = until;
  }

  private less(a: Scheduled, b: Scheduled): boolean {
    return a.time < b.time || (a.time === b.time && a.seq < b.seq);
  }

  private push(e: Scheduled): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i] as Scheduled, h[p] as Scheduled)) break;
      [h[i], h[p]] = [h[p] as Scheduled, h[i] as Scheduled];
      i = p;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop() as Scheduled;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l] as Scheduled, h[m] as Scheduled)) m = l;
      if (r < h.length && this.less(h[r] as Scheduled, h[m] as Scheduled)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m] as Scheduled, h[i] as Scheduled];
      i = m;
    }
  }
}
