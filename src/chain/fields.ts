/**
 * Strict readers for JSON files a node or a light client is handed (genesis anchors, checkpoints,
 * proofs): every field is checked for its exact type before use, unknown fields are refused, and
 * a failure is one typed error naming the field's path (`proof.header.number`), never a crash.
 */
import { XshardError } from "../errors.js";

export interface FieldReader {
  /** An object with only `allowed` keys (every one of them required unless listed in `optional`). */
  object(x: unknown, path: string, allowed: readonly string[], optional?: readonly string[]): Record<string, unknown>;
  /** A non-negative safe integer (not `1.5`, not `true`, not `"1"`), at most `max`. */
  uint(x: unknown, path: string, max?: number): number;
  /** A non-empty string of at most `maxLength` UTF-8 bytes. */
  string(x: unknown, path: string, maxLength: number): string;
  /** Lower-case or upper-case hex without `0x`, exactly `bytes` long when given, at most `maxBytes`. */
  hex(x: unknown, path: string, bytes?: number, maxBytes?: number): Uint8Array;
  /** A list of at most `maxLength` items, each read by `item`. */
  list<T>(x: unknown, path: string, maxLength: number, item: (x: unknown, path: string, index: number) => T): T[];
  /** An object whose `schema` field is `expected` (checked before its other fields, so a file of another kind is named as such). */
  schema(x: unknown, path: string, expected: string): void;
  /** One of `values`. */
  oneOf<T extends string>(x: unknown, path: string, values: readonly T[]): T;
  /** Throws the reader's typed error for `path`. */
  fail(path: string, message: string): never;
}

const utf8 = new TextEncoder();

/** A reader whose errors carry `code` and start with `what` (e.g. "proof", "genesis file"). */
/** Only ASCII hex digits (the strict readers' hex: no 0x, any case). */
const HEX_DIGITS = /^[0-9a-fA-F]*$/;

export function createFieldReader(code: string, what: string): FieldReader {
  const fail = (path: string, message: string): never => {
    throw new XshardError(code, `${what}: ${path} ${message}`, { path });
  };
  return {
    fail,
    object(x, path, allowed, optional = []) {
      if (typeof x !== "object" || x === null || Array.isArray(x)) fail(path, "must be an object");
      const o = x as Record<string, unknown>;
      for (const k of Object.keys(o)) if (!allowed.includes(k)) fail(`${path}.${k}`, `is not a field (allowed: ${allowed.join(", ")})`);
      for (const k of allowed) if (!(k in o) && !optional.includes(k)) fail(`${path}.${k}`, "is missing");
      return o;
    },
    uint(x, path, max = Number.MAX_SAFE_INTEGER) {
      if (typeof x !== "number" || !Number.isSafeInteger(x) || x < 0 || x > max) fail(path, `must be an integer in [0, ${max}]`);
      return x as number;
    },
    string(x, path, maxLength) {
      if (typeof x !== "string" || x === "" || utf8.encode(x).length > maxLength) fail(path, `must be a non-empty string of at most ${maxLength} bytes`);
      return x as string;
    },
    hex(x, path, bytes, maxBytes = Number.MAX_SAFE_INTEGER) {
      // Every character checked first: Node's hex decoder reads only a character's low byte, so
      // "\u0130\u0130" would decode as 0x00; and the lengths before anything is allocated.
      if (typeof x !== "string" || x.length % 2 !== 0 || !HEX_DIGITS.test(x)) fail(path, "must be a hex string (no 0x, even length)");
      const s = x as string;
      const length = s.length >>> 1;
      if (bytes !== undefined && length !== bytes) fail(path, `must be exactly ${bytes} bytes, got ${length}`);
      if (length > maxBytes) fail(path, `must be at most ${maxBytes} bytes, got ${length}`);
      // Decoded straight into the result (no pooled buffer, no copy).
      const out = new Uint8Array(length);
      Buffer.from(out.buffer, 0, length).write(s, "hex");
      return out;
    },
    list(x, path, maxLength, item) {
      if (!Array.isArray(x)) fail(path, "must be a list");
      const xs = x as unknown[];
      if (xs.length > maxLength) fail(path, `must hold at most ${maxLength} items, got ${xs.length}`);
      return xs.map((v, i) => item(v, `${path}[${i}]`, i));
    },
    schema(x, path, expected) {
      if (typeof x !== "object" || x === null || Array.isArray(x)) fail(path, "must be an object");
      if ((x as { schema?: unknown }).schema !== expected) fail(`${path}.schema`, `must be "${expected}"`);
    },
    oneOf(x, path, values) {
      if (typeof x !== "string" || !(values as readonly string[]).includes(x)) fail(path, `must be one of ${values.join(", ")}`);
      return x as (typeof values)[number];
    },
  };
}
