/** Every container (object or list) inside `x`, with `x` itself: where a test edits decoded JSON. */
export function containers(x: unknown, out: (Record<string, unknown> | unknown[])[] = []): (Record<string, unknown> | unknown[])[] {
  if (typeof x !== "object" || x === null) return out;
  out.push(x as Record<string, unknown>);
  for (const v of Object.values(x)) containers(v, out);
  return out;
}
