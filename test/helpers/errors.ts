/** The `code` of the error `f` throws (its text when it has none), or "no error". */
export function errorCodeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
  return "no error";
}

/** What `f` throws, or undefined when it returns. */
export function thrownBy(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}
