/**
 * Progress on stderr: a bar when stderr is a terminal; otherwise (CI logs, pipes, files) one line
 * every few seconds, so that a long run or a long workload generation is never silent.
 * Wall-clock time is read here, in the shell, never by a protocol rule.
 */
import cliProgress from "cli-progress";

export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

/** Seconds between two progress lines when stderr is not a terminal. */
export const PROGRESS_LINE_SECONDS = 5;

export interface ProgressOptions {
  /** Where to write (default: process.stderr). */
  readonly stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Milliseconds between lines when not a terminal. */
  readonly intervalMs?: number;
  /** The clock (ms). */
  readonly now?: () => number;
}

/** `label` names what progresses ("delayed:strict", "generating exchange"); `unit` what is counted. */
export function createProgress(label: string, unit = "slots", opts: ProgressOptions = {}): Progress {
  const stream = opts.stream ?? process.stderr;
  return stream.isTTY ? createBar(label, unit, stream) : createLines(label, unit, stream, opts.intervalMs ?? PROGRESS_LINE_SECONDS * 1000, opts.now ?? Date.now);
}

function createLines(label: string, unit: string, stream: NodeJS.WritableStream, intervalMs: number, now: () => number): Progress {
  const start = now();
  let last = start;
  return {
    update(done, total) {
      const t = now();
      if (t - last < intervalMs) return;
      last = t;
      const pct = total > 0 ? ` (${Math.floor((100 * done) / total)}%)` : "";
      stream.write(`xshard: ${label}: ${done}/${total} ${unit}${pct}, ${Math.round((t - start) / 1000)} s\n`);
    },
    stop() {},
  };
}

function createBar(label: string, unit: string, stream: NodeJS.WritableStream): Progress {
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {value}/{total} ${unit}`, stream, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total) {
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.setTotal(total);
      bar.update(done);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
