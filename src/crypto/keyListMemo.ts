/**
 * Memos of pure functions of a key list (a committee's signers, their public keys): committees sign
 * and verify with the same members round after round, so the same lists come back. Keys are
 * compared by identity — callers pass the validators' own key objects, which never change.
 */

/** Whether `a` and `b` hold the same objects in the same order. */
export function isSameKeyList<K>(a: readonly K[], b: readonly K[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * `compute`, memoised by key list: lists are found by their first key and compared element by
 * element; at most `perFirst` lists are kept per first key (the oldest goes). An empty list is
 * computed each time (it has no first key to file it under).
 */
export function createKeyListMemo<K extends object, V>(compute: (keys: readonly K[]) => V, perFirst = 8): (keys: readonly K[]) => V {
  const byFirst = new WeakMap<K, { readonly keys: readonly K[]; readonly value: V }[]>();
  return (keys) => {
    const first = keys[0];
    if (first === undefined) return compute(keys);
    let list = byFirst.get(first);
    if (list === undefined) byFirst.set(first, (list = []));
    for (const e of list) if (isSameKeyList(e.keys, keys)) return e.value;
    const value = compute(keys);
    list.push({ keys: [...keys], value });
    if (list.length > perFirst) list.shift();
    return value;
  };
}
