/**
 * The node's clock: wall time since the genesis time, in slots of a configurable length. It is
 * the only place in xshard that reads wall time, and it reads it only through an injected
 * `TimeSource` (the system one by default, a manual one in tests), as consensus-specs' fork
 * choice takes time as an argument (`on_tick(store, time)`).
 */
import { XshardError } from "../errors.js";

export type TimerHandle = unknown;

/** Wall time and timers; `now()` is milliseconds since the Unix epoch. */
export interface TimeSource {
  now(): number;
  setTimer(fn: () => void, ms: number): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

/** The real clock: the one place that reads wall time. */
export const SYSTEM_TIME: TimeSource = {
  now: () => Date.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface SlotClockConfig {
  /** Start of slot 0, in milliseconds since the Unix epoch. */
  readonly genesisTimeMs: number;
  /** Length of a slot in milliseconds (e.g. 1000 on a devnet). */
  readonly slotMs: number;
}

export function checkSlotClockConfig(cfg: SlotClockConfig): SlotClockConfig {
  if (!Number.isSafeInteger(cfg.genesisTimeMs) || cfg.genesisTimeMs < 0) {
    throw new XshardError("CLOCK_BAD_CONFIG", `genesis time must be whole milliseconds ≥ 0, got ${cfg.genesisTimeMs}`, { genesisTimeMs: cfg.genesisTimeMs });
  }
  if (!Number.isSafeInteger(cfg.slotMs) || cfg.slotMs < 1) {
    throw new XshardError("CLOCK_BAD_CONFIG", `slot length must be whole milliseconds ≥ 1, got ${cfg.slotMs}`, { slotMs: cfg.slotMs });
  }
  return cfg;
}

/** The slot at `nowMs` (negative before genesis). */
export function computeSlotAt(cfg: SlotClockConfig, nowMs: number): number {
  return Math.floor((nowMs - cfg.genesisTimeMs) / cfg.slotMs);
}

/** When `slot` starts, in milliseconds since the Unix epoch. */
export function computeSlotStartMs(cfg: SlotClockConfig, slot: number): number {
  return cfg.genesisTimeMs + slot * cfg.slotMs;
}

export type SlotListener = (slot: number) => void;

/**
 * Ticks once per slot. `onSlot` listeners get every slot from the one current at `start()` on, in
 * order and each exactly once: if the process stalls over several slots they are delivered one
 * after another when it resumes. Before genesis, the first tick is slot 0.
 */
export class SlotClock {
  readonly config: SlotClockConfig;
  private readonly listeners = new Set<SlotListener>();
  private timer: TimerHandle | undefined;
  private lastEmitted: number | undefined;

  constructor(config: SlotClockConfig, private readonly time: TimeSource = SYSTEM_TIME) {
    this.config = checkSlotClockConfig(config);
  }

  getCurrentSlot(): number {
    return computeSlotAt(this.config, this.time.now());
  }

  isBeforeGenesis(): boolean {
    return this.time.now() < this.config.genesisTimeMs;
  }

  /** Milliseconds since the current slot began. */
  getMsIntoSlot(): number {
    const now = this.time.now();
    return now - computeSlotStartMs(this.config, computeSlotAt(this.config, now));
  }

  /** Milliseconds until `slot` starts (0 if it has). */
  getMsUntilSlot(slot: number): number {
    return Math.max(0, computeSlotStartMs(this.config, slot) - this.time.now());
  }

  onSlot(listener: SlotListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts ticking: emits the current slot (if at or after genesis) now, then each new slot. */
  start(): void {
    if (this.timer !== undefined) return;
    const current = this.getCurrentSlot();
    this.lastEmitted = current >= 0 ? current - 1 : -1;
    this.processTick();
  }

  stop(): void {
    if (this.timer !== undefined) this.time.clearTimer(this.timer);
    this.timer = undefined;
  }

  /**
   * Runs `fn` once `ms` milliseconds into `slot` (at once if that moment has passed), on this
   * clock's time source; returns a cancel function.
   */
  atMsIntoSlot(slot: number, ms: number, fn: () => void): () => void {
    const wait = Math.max(0, computeSlotStartMs(this.config, slot) + ms - this.time.now());
    const handle = this.time.setTimer(fn, wait);
    return () => this.time.clearTimer(handle);
  }

  /** Resolves when `slot` has started (by this clock's time source). */
  waitForSlot(slot: number): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        const ms = this.getMsUntilSlot(slot);
        if (ms === 0) resolve();
        else this.time.setTimer(check, ms);
      };
      check();
    });
  }

  private processTick(): void {
    const current = this.getCurrentSlot();
    while (this.lastEmitted !== undefined && this.lastEmitted < current) {
      this.lastEmitted++;
      for (const l of [...this.listeners]) l(this.lastEmitted);
    }
    const next = Math.max(current + 1, 0);
    // A timer may fire a little early; the check in processTick emits nothing until the slot starts.
    this.timer = this.time.setTimer(() => this.processTick(), Math.max(1, this.getMsUntilSlot(next)));
  }
}
