/**
 * The light client's per-proof hashing, one proof at a time vs many at once (docs/benchmarks.md,
 * *Light-client proofs*): for the 2,048 proofs of the light-client bench, the leaf root, values
 * root and result branch computed with `computeResultLeafRoot` + `computeValuesRootFast` +
 * `verifyListProof` per proof, against `computeResultLeafRoots` + `verifyListProofs` for all of
 * them; CPU time per proof, median of 15 alternations in one process.
 *
 *   node bench/lightclient-hashing.mjs
 */
import { lightclientWarm } from "./cases/lightclient.mjs";
const leaf = await import("../dist/protocols/delayed/lightclient/leaf.js");
const st = await import("../dist/state/index.js");
const { fromHex } = await import("../dist/crypto/hash.js");
const ctx = await lightclientWarm.setup();
const items = ctx.proofs.map((p) => ({ seq: p.leaf.seq, txId: fromHex(p.leaf.txId), outcome: p.leaf.outcome === "committed" ? 0 : 1, values: p.values.map((v) => (v === null ? null : fromHex(v))), postRoot: fromHex(p.leaf.postRoot), branch: p.leafProof.branch.map(fromHex), index: p.leafProof.index, count: p.leafProof.count, root: fromHex(p.affirmation.resultsRoot) }));
const cpu = (f) => { const c = process.cpuUsage(); f(); const u = process.cpuUsage(c); return (u.user + u.system) / items.length; };
const one = () => { for (const x of items) { const r = leaf.computeResultLeafRoot({ ...x, valuesRoot: leaf.computeValuesRootFast(x.values) }); if (!st.verifyListProof(x.root, x.index, r, x.branch, x.count)) throw new Error("bad"); } };
const many = () => { const rs = leaf.computeResultLeafRoots(items); const ok = st.verifyListProofs(items.map((x, i) => ({ root: x.root, index: x.index, leaf: rs[i], proof: x.branch, length: x.count }))); if (ok.some((o) => !o)) throw new Error("bad"); };
for (let i = 0; i < 5; i++) { one(); many(); }
const a = [], b = [];
for (let i = 0; i < 15; i++) { a.push(cpu(one)); b.push(cpu(many)); }
const med = (xs) => xs.sort((p, q) => p - q)[xs.length >> 1];
console.log(`per proof (µs CPU, median of 15 alternations): one-by-one ${med(a).toFixed(2)}, batched ${med(b).toFixed(2)}, ratio ${(med(a) / med(b)).toFixed(2)}×`);
