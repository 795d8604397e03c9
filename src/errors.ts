/**
 * One error class for the whole library: a stable `code` and structured `data`, in the manner of
 * Lodestar's typed errors. User-facing text is produced only at the outer edge (CLI, report).
 *
 * Traps, reverts and out-of-budget calls are *results*, never thrown (see runtime/). Errors are for
 * bad input: malformed bytes, bad signatures, forged proofs, unknown names, out-of-range parameters.
 */
export class XshardError<Code extends string = string, Data extends object = Record<string, unknown>> extends Error {
  readonly code: Code;
  readonly data: Data;

  constructor(code: Code, message: string, data: Data = {} as Data, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "XshardError";
    this.code = code;
    this.data = data;
  }
}

export function isXshardError(e: unknown): e is XshardError {
  return e instanceof XshardError;
}
