#!/usr/bin/env node
/**
 * Main-thread CPU per block attestation in the two-stage chain's run with a worker pool (helper att10,
 * issue 12): per block, sign the attestation (64 signers of 192 validators), start its check, do a
 * fixed amount of other work (the block's import: `--spin` loop iterations), read the verdict.
 * Three ways, alternated 3 times, the median in ms of this thread's CPU (Linux: /proc/thread-self/schedstat):
 *   here:    signed and checked on this thread (Stage 2 before att10);
 *   started: signed here, checked in the pool (`startVerifyAggregate`; Stage 1 before att10);
 *   pool:    signed and checked in the pool in one job (`attestationSigner`; both stages after att10).
 * "over spin" is the attestation's share. Usage: node bench/attestation-cpu.mjs [--spin 400000] [--blocks 200]
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { Ed25519Pool } from "../dist/crypto/ed25519Pool.js";
import { createBatchBlsVerifier, validatorKeyFromSeed } from "../dist/crypto/bls.js";
import { sha256 } from "../dist/crypto/hash.js";
import { createSharedBatchVerifier, getAttestationSigner } from "../dist/sim/delayed/sharedBls.js";

const { values } = parseArgs({ options: { spin: { type: "string", default: "400000" }, blocks: { type: "string", default: "200" } } });
const SPIN = Number(values.spin);
const N = Number(values.blocks);
const pool = new Ed25519Pool(1);
const bls = createBatchBlsVerifier();
const keys = Array.from({ length: 192 }, (_, i) => validatorKeyFromSeed(sha256("attestation-cpu", String(i))));
const v = createSharedBatchVerifier(bls, (cells, cell, sets) => pool.verifyAggregatedSets(cells, cell, sets), { sign: (job) => pool.signAggregatedJob(job) });
const cpuMs = () => Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[0]) / 1e6;
let x = 0;
const spin = () => {
  for (let i = 0; i < SPIN; i++) x = (x * 31 + i) | 0;
};
const check = (ok) => {
  if (!ok) throw new Error("attestation does not verify");
};
const ways = {
  spin: () => spin(),
  here: (c, msg) => {
    const sig = bls.signAggregate(c, msg);
    spin();
    check(bls.verifyAggregate(c.map((k) => k.pubkey), msg, sig));
  },
  started: (c, msg) => {
    const read = v.startVerifyAggregate(c.map((k) => k.pubkey), msg, bls.signAggregate(c, msg));
    spin();
    check(read());
  },
  pool: (c, msg) => {
    const read = v.startVerifyAggregate(c.map((k) => k.pubkey), msg, getAttestationSigner(v).signAggregate(c, msg));
    spin();
    check(read());
  },
};
await new Promise((r) => setTimeout(r, 500)); // the worker starts
const times = {};
for (let round = 0; round < 3; round++) {
  for (const [name, f] of Object.entries(ways)) {
    const t0 = cpuMs();
    for (let i = 0; i < N; i++) {
      const s = (i * 7) % 128;
      f(keys.slice(s, s + 64), sha256("block", name, String(round), String(i)));
    }
    (times[name] ??= []).push((cpuMs() - t0) / N);
    await new Promise((r) => setImmediate(r));
  }
}
const median = (a) => [...a].sort((p, q) => p - q)[1];
for (const [name, a] of Object.entries(times)) {
  const over = name === "spin" ? "" : ` over spin ${(median(a) - median(times.spin)).toFixed(3)}`;
  console.log(`${name.padEnd(8)} ms/block ${a.map((t) => t.toFixed(3)).join(" ")} median ${median(a).toFixed(3)}${over}`);
}
await pool.close();
