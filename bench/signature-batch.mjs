#!/usr/bin/env node
/**
 * The drivers' batched committee-signature check (src/sim/shards/signatureBatch.ts) against one check
 * per attestation: one slot's checks, 16 attestations of 64 signers, 12 rounds interleaved (single,
 * batch, single, ...), median CPU ms per attestation (round 0 left out). Needs `npm run build`.
 *
 *   node bench/signature-batch.mjs
 */
// Same-run A/B of one slot's committee checks: 16 attestations of 64 keys, single (createBlsVerifier) vs batch (createSignatureBatch), interleaved, CPU ms per attestation.
import { createBlsVerifier, validatorKeyFromSeed } from "../dist/crypto/bls.js";
import { createSignatureBatch } from "../dist/sim/shards/signatureBatch.js";
import { sha256 } from "../dist/crypto/hash.js";
const keys = Array.from({ length: 16 * 64 }, (_, i) => validatorKeyFromSeed(sha256("v", String(i))));
const committees = Array.from({ length: 16 }, (_, c) => keys.slice(c * 64, c * 64 + 64));
const bls = createBlsVerifier();
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const single = [], batched = [];
const b = createSignatureBatch(bls); // one per run, as in the drivers
for (let round = 0; round < 12; round++) {
  const msgs = committees.map((_, c) => sha256("slot", String(round), String(c)));
  const sigs = committees.map((com, c) => bls.signAggregate(com, msgs[c]));
  const pks = committees.map((com) => com.map((k) => k.pubkey));
  let t = cpu();
  for (let c = 0; c < 16; c++) if (!bls.verifyAggregate(pks[c], msgs[c], sigs[c])) throw new Error("bad");
  single.push((cpu() - t) / 16);

  t = cpu();
  for (let c = 0; c < 16; c++) b.verifier.verifyAggregate(pks[c], msgs[c], sigs[c]);
  b.flush();
  batched.push((cpu() - t) / 16);
}
const med = (a) => a.slice(1).sort((x, y) => x - y)[Math.floor((a.length - 1) / 2)];
console.log(JSON.stringify({ singleMsPerAttestation: +med(single).toFixed(3), batchMsPerAttestation: +med(batched).toFixed(3), ratio: +(med(batched) / med(single)).toFixed(2), load: (await import("node:os")).loadavg().map((x) => x.toFixed(1)).join(" ") }));
