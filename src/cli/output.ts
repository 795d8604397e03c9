/**
 * The output directory of `run`, `compare` and `sweep`, checked before anything is generated or
 * simulated, so that a bad `--out` costs nothing and never loses a finished run's results.
 *
 * `assertWritableOut` creates the directory one level at a time (`mkdirSync` with `recursive`
 * loops forever under /proc), refuses a path whose existing part is not a directory (a file,
 * `/dev/null`, a path under a file), names longer than the file system takes, targets that exist
 * but are not regular files, and proves the directory writable by creating and removing a file.
 */
import { mkdirSync, statSync, unlinkSync, writeFileSync, type Stats } from "node:fs";
import { join, parse, resolve } from "node:path";
import { XshardError } from "../errors.js";

/** Longest file name and path Linux takes (NAME_MAX, PATH_MAX − 1), in bytes. */
export const MAX_NAME_BYTES = 255;
export const MAX_PATH_BYTES = 4095;

function refuse(dir: string, reason: string, data: Record<string, unknown> = {}): never {
  const shown = dir.length > 80 ? `${dir.slice(0, 40)}…${dir.slice(-20)}` : dir;
  throw new XshardError("BAD_OUT", `--out ${shown}: ${reason}`, { dir, ...data });
}

function describeFsError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const text: Record<string, string> = {
    ENOENT: "no such file or directory",
    EACCES: "permission denied",
    EPERM: "operation not permitted",
    EROFS: "read-only file system",
    ENOTDIR: "not a directory",
    ENAMETOOLONG: "name too long",
    ENOSPC: "no space left on device",
    EEXIST: "already exists",
  };
  return err.code ? `${text[err.code] ?? "failed"} (${err.code})` : String(err.message ?? e);
}

function statOf(path: string, dir: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch (e) {
    return refuse(dir, `cannot inspect ${path}: ${describeFsError(e)}`, { path });
  }
}

/**
 * Makes sure `dir` is a directory this process can write `files` into, creating it (and missing
 * parents) if needed; returns its absolute path. A typed error (`BAD_OUT`) otherwise.
 */
export function assertWritableOut(dir: string, files: readonly string[]): string {
  if (dir.trim() === "") refuse(JSON.stringify(dir), "must name a directory");
  const abs = resolve(dir);
  if (Buffer.byteLength(abs) > MAX_PATH_BYTES) refuse(dir, `path longer than ${MAX_PATH_BYTES} bytes`);
  const root = parse(abs).root;
  const parts = abs.slice(root.length).split("/").filter((p) => p !== "");
  for (const part of [...parts, ...files]) {
    if (Buffer.byteLength(part) > MAX_NAME_BYTES) refuse(dir, `name '${part.slice(0, 24)}…' is longer than ${MAX_NAME_BYTES} bytes`);
  }
  let cur = root;
  for (const part of parts) {
    cur = join(cur, part);
    const st = statOf(cur, dir);
    if (st === undefined) {
      try {
        mkdirSync(cur);
      } catch (e) {
        refuse(dir, `cannot create ${cur}: ${describeFsError(e)}`, { path: cur });
      }
    } else if (!st.isDirectory()) {
      refuse(dir, cur === abs ? "exists and is not a directory" : `${cur} is not a directory`, { path: cur });
    }
  }
  for (const f of files) {
    const st = statOf(join(abs, f), dir);
    if (st !== undefined && !st.isFile()) refuse(dir, `${f} exists there and is not a regular file`, { path: join(abs, f) });
  }
  const probe = join(abs, `.xshard-write-check-${process.pid}-${Date.now()}`);
  try {
    writeFileSync(probe, "", { flag: "wx" });
    unlinkSync(probe);
  } catch (e) {
    refuse(dir, `cannot write there: ${describeFsError(e)}`);
  }
  return abs;
}

/** Writes `dir/name`; a failure (disk full, removed meanwhile) is a typed error naming the file. */
export function writeOutFile(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  try {
    writeFileSync(path, text);
  } catch (e) {
    throw new XshardError("OUT_WRITE_FAILED", `cannot write ${path}: ${describeFsError(e)}`, { path });
  }
  return path;
}
