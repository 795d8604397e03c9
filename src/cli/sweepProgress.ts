/**
 * Progress of a sweep: points queued / running / done / failed and an ETA — a live bar on a
 * terminal, otherwise one line on stderr every few seconds (CI logs, pipes, remote shells).
 */
import cliProgress from "cli-progress";

export interface SweepCounts {
  queued: number;
  running: number;
  done: number;
  failed: number;
}

export interface SweepProgress {
  /** New counts; `done` includes points found already done (resumed). */
  update(counts: SweepCounts): void;
  stop(): void;
}

export interface SweepProgressOptions {
  /** Seconds between lines when stderr is not a terminal (default 5). */
  readonly everySeconds?: number;
  readonly stream?: NodeJS.WriteStream;
}

/** `1 h 02 min`, `3 min 05 s`, `12 s`; `?` before anything finished. */
export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return "?";
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600) return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
  if (s >= 60) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
  return `${s} s`;
}

/** Seconds left at the rate of the points finished in this run (resumed points excluded). */
export function computeEta(total: number, resumed: number, counts: SweepCounts, elapsedSeconds: number): number | null {
  const finishedHere = counts.done + counts.failed - resumed;
  if (finishedHere <= 0) return null;
  return ((total - counts.done - counts.failed) * elapsedSeconds) / finishedHere;
}

export function formatSweepCounts(total: number, c: SweepCounts, eta: number | null): string {
  return `${c.done}/${total} points done, ${c.running} running, ${c.queued} queued, ${c.failed} failed, ETA ${formatEta(eta)}`;
}

export function createSweepProgress(total: number, resumed: number, options: SweepProgressOptions = {}): SweepProgress {
  const stream = options.stream ?? process.stderr;
  const started = Date.now();
  let counts: SweepCounts = { queued: total - resumed, running: 0, done: resumed, failed: 0 };
  const eta = (): number | null => computeEta(total, resumed, counts, (Date.now() - started) / 1000);
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: "sweep [{bar}] {value}/{total} points · {running} running · {queued} queued · {failed} failed · ETA {etaText}", stream, hideCursor: true, clearOnComplete: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, counts.done, { running: 0, queued: counts.queued, failed: 0, etaText: "?" });
    return {
      update(c) {
        counts = { ...c };
        bar.update(c.done, { running: c.running, queued: c.queued, failed: c.failed, etaText: formatEta(eta()) });
      },
      stop: () => bar.stop(),
    };
  }
  const timer = setInterval(() => stream.write(`sweep: ${formatSweepCounts(total, counts, eta())}\n`), (options.everySeconds ?? 5) * 1000);
  timer.unref();
  return {
    update(c) {
      counts = { ...c };
    },
    stop: () => clearInterval(timer),
  };
}
