#!/usr/bin/env node
/**
 * What slashing protection costs a signature (docs/node.md "Slashing protection"): the synced LMDB
 * commit of `NodeStore.recordSigned` before a vote is signed. Interleaved per repetition on one
 * fresh store: K validators recorded with one commit each (`per-validator`) vs the K in one commit
 * (`one-commit`, what `Attester.recordAll` does for a committee's members the node holds). Medians
 * of wall and CPU (user + system) time per group of K. After `npm run build:ts`:
 *
 *   node bench/slashing-protection.mjs [--reps 300] [--k 4]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { sha256 } from "../dist/crypto/hash.js";
import { NodeStore, SIGNED_DUTIES } from "../dist/node/store/index.js";

const { values } = parseArgs({ options: { reps: { type: "string", default: "300" }, k: { type: "string", default: "4" } } });
const reps = Number(values.reps);
const k = Number(values.k);
const dir = mkdtempSync(join(tmpdir(), "xshard-protection-bench-"));
const store = NodeStore.open({ path: join(dir, "store") });
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const time = (fn) => {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  fn();
  const c = process.cpuUsage(c0);
  return { wall: Number(process.hrtime.bigint() - t0) / 1e3, cpu: c.user + c.system };
};
const runs = { "per-validator": [], "one-commit": [] };
const load0 = loadavg()[0];
for (let i = 0; i < reps; i++) {
  const root = sha256(`header-${i}`);
  const entry = (validator, slot) => ({ validator, duty: SIGNED_DUTIES.stage1Vote, slot, skip: false, root });
  const sides = [
    ["per-validator", () => { for (let v = 0; v < k; v++) store.recordSigned([entry(v, 2 * i)]); }],
    ["one-commit", () => store.recordSigned(Array.from({ length: k }, (_, v) => entry(v, 2 * i + 1)))],
  ];
  if (i % 2 === 1) sides.reverse();
  for (const [name, fn] of sides) runs[name].push(time(fn));
}
await store.close();
rmSync(dir, { recursive: true, force: true });
const out = { reps, k, load: [load0, loadavg()[0]].map((x) => Math.round(x * 10) / 10) };
for (const [name, r] of Object.entries(runs)) out[name] = { wallUs: Math.round(median(r.map((x) => x.wall))), cpuUs: Math.round(median(r.map((x) => x.cpu))) };
console.log(JSON.stringify(out));
