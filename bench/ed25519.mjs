#!/usr/bin/env node
/**
 * Ed25519 per operation (issue 12 goal 1: the signature work of a run), same-run A/B: node:crypto
 * (OpenSSL, the implementation before 2026-12-03) against libsodium (`src/crypto/ed25519Raw.ts`, what
 * every thread uses now), alternating rounds, medians of the per-operation CPU time of this thread
 * and the ratio. Keys and messages are the same on both sides; each round checks that both sides made
 * the same signatures and that every verification passed.
 *
 *   node bench/ed25519.mjs [--rounds 10] [--ops 5000]
 */
import { parseArgs } from "node:util";
import { createPrivateKey, createPublicKey, sign, verify } from "node:crypto";
import { cpuUsage } from "node:process";
import { loadavg } from "node:os";
import { expandSeed, signRaw, verifyRaw } from "../dist/crypto/ed25519Raw.js";
import { sha256 } from "../dist/crypto/hash.js";

const { values } = parseArgs({ options: { rounds: { type: "string", default: "10" }, ops: { type: "string", default: "5000" } } });
const rounds = Number(values.rounds);
const ops = Number(values.ops);
const PKCS8 = Buffer.from("302e020100300506032b657004220420", "hex");
const keys = Array.from({ length: 64 }, (_, i) => {
  const seed = sha256("bench:", String(i));
  const ossl = createPrivateKey({ key: Buffer.concat([PKCS8, seed]), format: "der", type: "pkcs8" });
  return { ossl, osslPub: createPublicKey(ossl), ...expandSeed(seed) };
});
const msgs = Array.from({ length: ops }, (_, i) => sha256("msg:", String(i)));
const cpuMicros = () => { const u = cpuUsage(); return u.user + u.system; };
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };

const sides = {
  openssl: {
    sign: (k, m) => sign(null, m, k.ossl),
    verify: (k, m, s) => verify(null, m, k.osslPub, s),
  },
  libsodium: {
    sign: (k, m) => signRaw(k.secretKey, m),
    verify: (k, m, s) => verifyRaw(k.pubkey, m, s),
  },
};
const figures = { openssl: { sign: [], verify: [] }, libsodium: { sign: [], verify: [] } };
const load0 = loadavg()[0];
for (let r = 0; r < rounds; r++) {
  const made = {};
  for (const name of r % 2 ? ["libsodium", "openssl"] : ["openssl", "libsodium"]) {
    const side = sides[name];
    let c = cpuMicros();
    const sigs = msgs.map((m, i) => side.sign(keys[i % keys.length], m));
    figures[name].sign.push((cpuMicros() - c) / ops);
    c = cpuMicros();
    let ok = 0;
    for (let i = 0; i < ops; i++) if (side.verify(keys[i % keys.length], msgs[i], sigs[i])) ok++;
    figures[name].verify.push((cpuMicros() - c) / ops);
    if (ok !== ops) throw new Error(`${name}: ${ops - ok} signatures did not verify`);
    made[name] = sigs;
  }
  for (let i = 0; i < ops; i++) if (!Buffer.from(made.openssl[i]).equals(Buffer.from(made.libsodium[i]))) throw new Error(`signature ${i} differs between the two`);
}
const out = { rounds, ops, load: [+load0.toFixed(2), +loadavg()[0].toFixed(2)] };
for (const op of ["sign", "verify"]) {
  const a = median(figures.openssl[op]);
  const b = median(figures.libsodium[op]);
  out[op] = { opensslMicros: +a.toFixed(1), libsodiumMicros: +b.toFixed(1), speedup: +(a / b).toFixed(2) };
}
console.log(JSON.stringify(out));
