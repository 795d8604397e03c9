/**
 * Light-client proof verification (issue 12 item 4), against the built library in dist/.
 *
 * Proofs come from a real `delayed:conditional` run (default run configuration: 64 validators,
 * committees of 16, 4 committees; transfer workload, 2,048 transactions in 8 slots, signatures on),
 * every final transaction's proof as decoded JSON. The trust anchor is derived from the same run's
 * genesis.
 *
 * - single: each proof verified from scratch (`verifyTxOutcomeProof`): both committees derived from
 *   the anchor, both aggregate signatures checked (two pairings), four Merkle branches.
 * - batch: all proofs through one fresh `createTxProofChecker` per pass: each distinct header and
 *   batch (and its aggregate) checked once, then per proof its leaf, values root and one branch.
 *
 * - warm: all proofs through a checker that has already seen them (headers, batches and
 *   affirmations cached): the marginal cost of one more proof — its leaf, values root, one branch.
 *
 * - batch-plain: as batch, but with the plain verifier (each aggregate its own pairing and final
 *   exponentiation) instead of `createBatchBlsVerifier` (all aggregates of up to 1,024 proofs in one
 *   `verifyAggregateSets` call): the same-run A/B of batched pairings.
 *
 * `npm run bench` measures single, batch and warm as harness cases (one after the other). Run this
 * file directly for the interleaved figures (single, batch, batch-plain, warm, single, …; medians of
 * each; wall clock and CPU time of this process, which stays meaningful when other processes share
 * the cores):
 *
 *   node bench/cases/lightclient.mjs [--pairs N]
 *
 * How much proofs share decides the batch rate: `--sweep` runs several workloads (transactions per
 * slot, strict and conditional) and prints, for each, proofs per header and per batch and the fresh
 * batch rate (every proof of the run through one new checker):
 *
 *   node bench/cases/lightclient.mjs --sweep [--pairs N]
 *
 * - wide-batch (`lightclient.proof-batch-wide`, and a line of the interleaved run): the fresh batch
 *   of the wide-sharing run (`WIDE_RUN`: 1,000 proofs per header), the issue's "batch of outcome
 *   proofs that share headers" (goal: ≥ 50,000 per CPU-second).
 *
 * Same-run A/B against another build's dist/ (`--ab DIR`; with `--wide` on the wide-sharing run,
 * with `--sweep` on every sweep workload):
 *
 *   node bench/cases/lightclient.mjs --ab DIR [--wide | --sweep] [--pairs N]
 */
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

/** Proofs verified from scratch per single-proof sample. */
const SINGLE_PER_RUN = 20;
export const WORKLOAD = { slots: 8, rate: 256, accounts: 256, contracts: 16, cross: 0.25 };

const runs = new Map();
let shared;

/** Room for every transaction of a slot in one Stage-2 block (the default 2,000,000 gas per slot finalizes ≈ 63 transfers per block). */
export const WIDE = { slotGas: 64_000_000, blockTxLimit: 4096 };
/**
 * The wide-sharing run (issue 12 item 4's "batch of outcome proofs that share headers"):
 * delayed:conditional, 1,000 transfers per slot for 4 slots, room for a whole slot in one block —
 * 4,000 proofs, 1,000 per header, ≈ 200 per aggregate signature.
 */
export const WIDE_RUN = ["delayed:conditional", { ...WORKLOAD, slots: 4, rate: 1000, accounts: 1024 }, WIDE];

/** Run the simulation once (the cases share it) and keep every final transaction's proof. */
async function setupProofs() {
  shared ??= proofsOf("delayed:conditional", WORKLOAD);
  return shared;
}

/** Every final transaction's proof of one run (memoised by protocol, workload and configuration overrides). */
export function proofsOf(protocol, params, overrides = {}) {
  const key = JSON.stringify([protocol, params, overrides]);
  if (!runs.has(key)) runs.set(key, (async () => {
    const [runner, workloads, world, runtime, anchorFile, lc, bls] = await Promise.all([
      import("../../dist/runner.js"),
      import("../../dist/workloads/index.js"),
      import("../../dist/sim/world.js"),
      import("../../dist/runtime/index.js"),
      import("../../dist/chain/anchorFile.js"),
      import("../../dist/protocols/delayed/lightclient.js"),
      import("../../dist/crypto/bls.js"),
    ]);
    const config = runner.resolveRunConfig({ ...overrides, protocol });
    const workload = workloads.getWorkload("transfer").generate(params, config.seed);
    const out = runner.runProtocol(config, workload);
    const final = out.results.txs.filter((t) => t.outcome === "committed" || t.outcome === "aborted");
    const proofs = final.map((t) => JSON.parse(JSON.stringify(out.proveTx(t.index))));
    const genesis = anchorFile.createGenesisAnchor(
      { seed: config.seed, validators: config.validators, committeeSize: config.committeeSize, committees: config.shards },
      world.deployGenesis(new runtime.Runtime(), workload.genesis),
    );
    const anchor = lc.createGenesisTrust(genesis);
    return { lc, anchor, genesis, verifier: bls.createBatchBlsVerifier(), plain: bls.createBlsVerifier(), proofs, config, next: 0, checked: 0 };
  })());
  return runs.get(key);
}

/** Verify `SINGLE_PER_RUN` proofs, each from scratch. */
function runSingle(ctx) {
  for (let i = 0; i < SINGLE_PER_RUN; i++) {
    const p = ctx.proofs[ctx.next++ % ctx.proofs.length];
    const v = ctx.lc.verifyTxOutcomeProof(p, ctx.anchor, ctx.verifier);
    if (v.txId !== p.leaf.txId) throw new Error("verified a different transaction");
  }
  ctx.checked += SINGLE_PER_RUN;
}

/** Verify every proof through one fresh checker (each header and batch checked once per pass). */
function runBatch(ctx) {
  const checker = ctx.lc.createTxProofChecker(ctx.anchor, ctx.verifier);
  checker.verifyMany(ctx.proofs);
  ctx.checked += ctx.proofs.length;
  ctx.lastStats = { ...checker.stats };
}

/** As `runBatch`, with the plain verifier: every aggregate its own pairing (the A/B of batched pairings). */
function runBatchPlain(ctx) {
  ctx.lc.createTxProofChecker(ctx.anchor, ctx.plain).verifyMany(ctx.proofs);
  ctx.checked += ctx.proofs.length;
}

/** Verify every proof through a checker that has seen them before: headers, batches and affirmations cached, only each proof's own leaf, values and Merkle path checked (the marginal cost of one more proof). */
function runWarm(ctx) {
  ctx.warm ??= ctx.lc.createTxProofChecker(ctx.anchor, ctx.verifier);
  ctx.warm.verifyMany(ctx.proofs);
  ctx.checked += ctx.proofs.length;
}

function describe(ctx) {
  const { validators, committeeSize, shards } = ctx.config;
  return { proofs: ctx.proofs.length, validators, committeeSize, committees: shards, checked: ctx.checked, ...(ctx.lastStats ? { perBatch: ctx.lastStats } : {}) };
}

/**
 * One light-client bench case: `proofsOf()` gives the run's context (its proofs), `run` one pass;
 * `perRun` the proofs of a pass (by default every proof of the run, known once set up).
 * @returns {import("../harness.mjs").BenchCase}
 */
function proofCase(name, title, proofsOf, run, perRun) {
  const c = {
    name,
    title,
    unit: "proofs",
    opsPerRun: perRun ?? 0, // replaced in setup by the number of proofs
    ...(name === "lightclient.proof-single" ? {} : { baselines: ["lightclient.proof-single"] }),
    setup: async () => {
      const ctx = await proofsOf();
      if (perRun === undefined) c.opsPerRun = ctx.proofs.length;
      return ctx;
    },
    run,
    describe,
  };
  return c;
}

export const lightclientSingle = proofCase("lightclient.proof-single", "outcome proof verified from scratch against the genesis anchor (2 committees derived, 2 pairings)", setupProofs, runSingle, SINGLE_PER_RUN);
export const lightclientBatch = proofCase("lightclient.proof-batch", "outcome proofs of one run verified as a batch (each header and batch once, then Merkle paths)", setupProofs, runBatch);
export const lightclientWarm = proofCase(
  "lightclient.proof-warm",
  "outcome proofs whose headers, batches and affirmations the checker already holds (leaf, values root, one Merkle path each)",
  setupProofs,
  runWarm,
);
export const lightclientBatchWide = proofCase(
  "lightclient.proof-batch-wide",
  "the wide-sharing run's 4,000 proofs (1,000 per header) through a fresh checker: the issue's batch of proofs that share headers",
  () => proofsOf(...WIDE_RUN),
  runBatch,
);

/** The light-client cases, for bench/run.mjs. */
export const lightclientCases = [lightclientSingle, lightclientBatch, lightclientWarm, lightclientBatchWide];

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs `f` once; proofs/s by wall clock and by this process's CPU time (user + system). */
function measure(f, ctx, proofs) {
  const cpu = process.cpuUsage();
  const t = performance.now();
  f(ctx);
  const wall = performance.now() - t;
  const used = process.cpuUsage(cpu);
  return { wall: (proofs * 1000) / wall, cpu: (proofs * 1e6) / (used.user + used.system) };
}

/** Interleaved passes — single, batch, warm, single, batch, warm, … — after a warm-up; medians of each. */
export async function measureInterleaved(pairs) {
  const ctx = await setupProofs();
  const wide = await proofsOf(...WIDE_RUN);
  const modes = [
    ["single", runSingle, SINGLE_PER_RUN, ctx],
    ["batch", runBatch, ctx.proofs.length, ctx],
    ["batch-plain", runBatchPlain, ctx.proofs.length, ctx],
    ["warm", runWarm, ctx.proofs.length, ctx],
    ["wide-batch", runBatch, wide.proofs.length, wide],
  ];
  for (let i = 0; i < 3; i++) for (const [, f, , c] of modes) f(c);
  const samples = Object.fromEntries(modes.map(([name]) => [name, []]));
  for (let i = 0; i < pairs; i++) for (const [name, f, n, c] of modes) samples[name].push(measure(f, c, n));
  const summary = (xs, k) => ({ median: median(xs.map((x) => x[k])), min: Math.min(...xs.map((x) => x[k])), max: Math.max(...xs.map((x) => x[k])) });
  const figures = Object.fromEntries(Object.entries(samples).map(([name, xs]) => [name, { wall: summary(xs, "wall"), cpu: summary(xs, "cpu") }]));
  return { pairs, ...describe(ctx), wide: describe(wide), figures };
}

/** Workloads of the sharing sweep: transactions per slot (and so proofs per header and per batch), strict and conditional. */
const SWEEP = [
  ["delayed:conditional", { ...WORKLOAD, rate: 64 }, {}],
  ["delayed:conditional", WORKLOAD, {}],
  ["delayed:strict", WORKLOAD, {}],
  ["delayed:conditional", WORKLOAD, WIDE],
  ["delayed:strict", WORKLOAD, WIDE],
  WIDE_RUN,
  ["delayed:strict", { ...WORKLOAD, slots: 4, rate: 1000, accounts: 1024 }, WIDE],
];

/** The fresh batch rate (plain and batched pairings, interleaved) of each sweep workload; medians of `pairs` passes each. */
export async function measureSweep(pairs) {
  const rows = [];
  for (const [protocol, params, overrides] of SWEEP) {
    const ctx = await proofsOf(protocol, params, overrides);
    runBatch(ctx);
    runBatchPlain(ctx);
    const batch = [];
    const plain = [];
    for (let i = 0; i < pairs; i++) {
      batch.push(measure(runBatch, ctx, ctx.proofs.length).cpu);
      plain.push(measure(runBatchPlain, ctx, ctx.proofs.length).cpu);
    }
    const s = ctx.lastStats;
    rows.push({ protocol, rate: params.rate, slots: params.slots, slotGas: ctx.config.slotGas, proofs: ctx.proofs.length, headers: s.headers, batches: s.batches, affirmations: s.affirmations, signatures: s.signatures, batch: median(batch), plain: median(plain) });
  }
  return rows;
}

/**
 * Same-run A/B of two builds: the light client of the build in `dir` (another checkout's dist/, e.g.
 * a copy of dist/ made before a change) against this one's, on the same proofs, passes alternating
 * (A B A B …) after a warm-up; CPU-time medians of `pairs` pairs for the fresh batch (a new checker
 * per pass, batched pairings), the single proof and the warm pass. `sweep`: every sweep workload,
 * else the default one.
 */
export async function measureAB(dir, pairs, sweep, wide = false) {
  const base = new URL(`file://${dir.startsWith("/") ? dir : `${process.cwd()}/${dir}`}/`);
  const [lcA, blsA] = await Promise.all([import(new URL("protocols/delayed/lightclient.js", base).href), import(new URL("crypto/bls.js", base).href)]);
  const rows = [];
  for (const [protocol, params, overrides] of sweep ? SWEEP : wide ? [WIDE_RUN] : [["delayed:conditional", WORKLOAD, {}]]) {
    const b = await proofsOf(protocol, params, overrides);
    const a = { ...b, lc: lcA, anchor: lcA.createGenesisTrust(b.genesis), verifier: blsA.createBatchBlsVerifier(), plain: blsA.createBlsVerifier(), warm: undefined, next: 0 };
    const modes = sweep ? [["batch", runBatch, b.proofs.length]] : wide ? [["batch", runBatch, b.proofs.length], ["warm", runWarm, b.proofs.length]] : [["batch", runBatch, b.proofs.length], ["single", runSingle, SINGLE_PER_RUN], ["warm", runWarm, b.proofs.length]];
    for (let i = 0; i < 2; i++) for (const [, f] of modes) for (const ctx of [a, b]) f(ctx);
    const samples = { A: Object.fromEntries(modes.map(([m]) => [m, []])), B: Object.fromEntries(modes.map(([m]) => [m, []])) };
    for (let i = 0; i < pairs; i++) {
      for (const [m, f, n] of modes) {
        const [first, second] = i % 2 === 0 ? [["A", a], ["B", b]] : [["B", b], ["A", a]];
        for (const [side, ctx] of [first, second]) samples[side][m].push(measure(f, ctx, n).cpu);
      }
    }
    const s = b.lastStats;
    const med = (side) => Object.fromEntries(modes.map(([m]) => [m, median(samples[side][m])]));
    const ratios = modes.map(([m]) => [m, median(samples.B[m].map((x, i) => x / samples.A[m][i]))]);
    rows.push({ protocol, rate: params.rate, slots: params.slots, slotGas: b.config.slotGas, proofs: b.proofs.length, headers: s.headers, batches: s.batches, affirmations: s.affirmations, signatures: s.signatures, A: med("A"), B: med("B"), ratios: Object.fromEntries(ratios) });
  }
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { pairs: { type: "string", default: "15" }, sweep: { type: "boolean", default: false }, wide: { type: "boolean", default: false }, ab: { type: "string" } } });
  const pairs = Number(values.pairs);
  if (!Number.isInteger(pairs) || pairs < 1) throw new Error(`--pairs must be a positive integer, got ${values.pairs}`);
  if (values.ab !== undefined) {
    const f = (x) => Math.round(x).toLocaleString("en-US");
    const load = () => loadavg().map((x) => x.toFixed(1)).join(" ");
    console.log(`light-client A/B: A = ${values.ab}, B = dist/; proofs per CPU-second, medians of ${pairs} same-run pairs (order alternating); load ${load()}`);
    console.log("| protocol | tx/slot × slots | slot gas | proofs | headers | batches | affirmations | aggregates | mode | A | B | B/A (median of pair ratios) |");
    console.log("|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|");
    for (const r of await measureAB(values.ab, pairs, values.sweep, values.wide)) {
      for (const m of Object.keys(r.A)) console.log(`| ${r.protocol} | ${r.rate} × ${r.slots} | ${f(r.slotGas)} | ${f(r.proofs)} | ${r.headers} | ${r.batches} | ${f(r.affirmations)} | ${r.signatures} | ${m} | ${f(r.A[m])} | ${f(r.B[m])} | ${r.ratios[m].toFixed(2)}× |`);
    }
    console.log(`load ${load()}`);
    process.exit(0);
  }
  if (values.sweep) {
    const f = (x) => Math.round(x).toLocaleString("en-US");
    console.log(`light-client proofs, sharing sweep: fresh checker per pass, every final proof of the run; proofs per CPU-second, median of ${pairs}`);
    console.log("| protocol | tx/slot × slots | slot gas | proofs | headers | batches | affirmations | aggregates | proofs/header | proofs/aggregate | batched pairings | plain pairings | ratio |");
    console.log("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (const r of await measureSweep(pairs)) {
      console.log(`| ${r.protocol} | ${r.rate} × ${r.slots} | ${f(r.slotGas)} | ${f(r.proofs)} | ${r.headers} | ${r.batches} | ${f(r.affirmations)} | ${r.signatures} | ${(r.proofs / r.headers).toFixed(0)} | ${(r.proofs / r.signatures).toFixed(1)} | ${f(r.batch)} | ${f(r.plain)} | ${(r.batch / r.plain).toFixed(2)}× |`);
    }
    process.exit(0);
  }
  const r = await measureInterleaved(pairs);
  const f = (x) => Math.round(x).toLocaleString("en-US");
  console.log(`light-client proofs: ${r.proofs} proofs of one delayed:conditional run (${r.validators} validators, committees of ${r.committeeSize}, ${r.committees} committees); one thread`);
  console.log(`  a batch pass checks ${r.perBatch.headers} headers, ${r.perBatch.batches} batches, ${r.perBatch.affirmations} affirmations, ${r.perBatch.signatures} aggregate signatures`);
  const w = r.wide.perBatch;
  console.log(`  wide-batch: the wide-sharing run's ${r.wide.proofs} proofs through a fresh checker (${w.headers} headers, ${w.batches} batches, ${w.affirmations} affirmations, ${w.signatures} aggregates: ${Math.round(r.wide.proofs / w.headers)} proofs per header)`);
  console.log(`  ${pairs} rounds of single (${SINGLE_PER_RUN} proofs), batch, batch-plain, warm (${r.proofs} each), wide-batch (${r.wide.proofs}), interleaved; proofs/s, median (min–max)`);
  for (const [name, x] of Object.entries(r.figures)) {
    console.log(`  ${name.padEnd(11)} wall ${f(x.wall.median).padStart(8)} (${f(x.wall.min)}–${f(x.wall.max)})   per CPU-second ${f(x.cpu.median).padStart(8)} (${f(x.cpu.min)}–${f(x.cpu.max)})`);
  }
  const ratio = (a, b, k) => (r.figures[a][k].median / r.figures[b][k].median).toFixed(1);
  console.log(`  batch/batch-plain ${ratio("batch", "batch-plain", "cpu")}× CPU; batch/single ${ratio("batch", "single", "wall")}× wall, ${ratio("batch", "single", "cpu")}× CPU; warm/single ${ratio("warm", "single", "wall")}× wall, ${ratio("warm", "single", "cpu")}× CPU (same run)`);
}
