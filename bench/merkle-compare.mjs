#!/usr/bin/env node
/**
 * Merkle state-tree comparison (docs/state.md):
 *   A. @chainsafe/persistent-merkle-tree + hashtree: sparse binary tree of depth 32, leaf position =
 *      first 4 bytes of the key, leaf = sha256(key ‖ value); batch update with setNodesAtDepth and
 *      one batched hash pass — the structure under xshard's MerkleKV.
 *   B. @ethereumjs/binarytree (EIP-7864 binary tree), default Blake3 (@noble/hashes) and with
 *      sha256 (node:crypto) as its hash function.
 *   C. xshard's MerkleKV itself, when the library is built (`npm run build`; imported from dist/).
 * Workload: a 10,000-key state, then 1,000 random writes (500 changes, 500 inserts) + root;
 * single-key proofs created and verified. Keys and values are 32 bytes, from a seeded stream.
 * Reports the median of 5 timed runs after one warm-up. Usage: node bench/merkle-compare.mjs
 */
import { createHash } from "node:crypto";
import os from "node:os";
import {
  HashComputationGroup,
  LeafNode,
  ProofType,
  createNodeFromProof,
  createProof,
  executeHashComputations,
  setHasher,
  setNodesAtDepth,
  zeroNode,
} from "@chainsafe/persistent-merkle-tree";
import { hasher as hashtree } from "@chainsafe/persistent-merkle-tree/hasher/hashtree";
import { createBinaryTree, verifyBinaryProof } from "@ethereumjs/binarytree";

setHasher(hashtree);

const BASE_KEYS = 10_000;
const UPDATES = 1_000;
const PROOFS = 200;
const REPS = 5;
const DEPTH = 32;

const sha256 = (...parts) => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};
/** Deterministic 32-byte strings: sha256(label ‖ i). */
const stream = (label, n) => Array.from({ length: n }, (_, i) => sha256(`${label}:${i}`));

const baseKeys = stream("key", BASE_KEYS);
const baseValues = stream("value", BASE_KEYS);
const newKeys = stream("new-key", UPDATES / 2);
const updateKeys = [...baseKeys.slice(0, UPDATES / 2), ...newKeys];
const updateValues = stream("update", UPDATES);
const proofKeys = baseKeys.slice(1000, 1000 + PROOFS);

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

async function timeMedian(fn) {
  await fn();
  const times = [];
  for (let i = 0; i < REPS; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

// ---- A. persistent-merkle-tree sparse depth-32 tree ---------------------------------------------

const position = (key) => ((key[0] << 24) | (key[1] << 16) | (key[2] << 8) | key[3]) >>> 0;

function pmtApply(rootNode, keys, values) {
  const order = keys.map((_, i) => i).sort((a, b) => position(keys[a]) - position(keys[b]));
  const hc = new HashComputationGroup();
  const next = setNodesAtDepth(
    rootNode,
    DEPTH,
    order.map((i) => position(keys[i])),
    order.map((i) => LeafNode.fromRoot(sha256(keys[i], values[i]))),
    0,
    hc.byLevel,
  );
  executeHashComputations(hc.byLevel);
  return next;
}

async function benchPmt() {
  const base = pmtApply(zeroNode(DEPTH), baseKeys, baseValues);
  const baseRoot = base.root;
  const updateMs = await timeMedian(() => pmtApply(base, updateKeys, updateValues).root);
  let proofBytes = 0;
  const proofMs = await timeMedian(() => {
    proofBytes = 0;
    for (const key of proofKeys) {
      const gindex = (1n << BigInt(DEPTH)) + BigInt(position(key));
      const proof = createProof(base, { type: ProofType.single, gindex });
      proofBytes += 32 * (proof.witnesses.length + 1);
      if (!Buffer.from(createNodeFromProof(proof).root).equals(baseRoot)) throw new Error("pmt proof failed");
    }
  });
  return { updateMs, proofsPerSec: (PROOFS / proofMs) * 1000, proofBytes: proofBytes / PROOFS };
}

// ---- B. @ethereumjs/binarytree -----------------------------------------------------------------

async function binaryBuild(hashFunction) {
  const tree = await createBinaryTree(hashFunction ? { hashFunction } : {});
  for (let i = 0; i < BASE_KEYS; i++) {
    const k = baseKeys[i];
    await tree.put(k.subarray(0, 31), [k[31]], [baseValues[i]]);
  }
  return tree;
}

async function binaryApply(tree) {
  for (let i = 0; i < UPDATES; i++) {
    const k = updateKeys[i];
    await tree.put(k.subarray(0, 31), [k[31]], [updateValues[i]]);
  }
  return tree.root();
}

async function benchBinary(hashFunction, withProofs) {
  const tree = await binaryBuild(hashFunction);
  const times = [];
  for (let i = 0; i <= REPS; i++) {
    tree.checkpoint();
    const t0 = performance.now();
    await binaryApply(tree);
    if (i > 0) times.push(performance.now() - t0);
    await tree.revert();
  }
  if (!withProofs) return { updateMs: median(times) };
  const root = tree.root();
  let proofBytes = 0;
  const proofMs = await timeMedian(async () => {
    proofBytes = 0;
    for (const key of proofKeys) {
      const proof = await tree.createBinaryProof(key);
      proofBytes += proof.reduce((n, p) => n + p.length, 0);
      if ((await verifyBinaryProof(root, key, proof)) === null) throw new Error("binarytree proof failed");
    }
  });
  return { updateMs: median(times), proofsPerSec: (PROOFS / proofMs) * 1000, proofBytes: proofBytes / PROOFS };
}

// ---- C. xshard MerkleKV (optional: needs dist/) --------------------------------------------------

async function benchMerkleKV() {
  let state;
  try {
    state = await import("../dist/state/index.js");
  } catch {
    return undefined;
  }
  const hex = (b) => Buffer.from(b).toString("hex");
  const base = state.MerkleKV.fromEntries(baseKeys.map((k, i) => [k, baseValues[i]]));
  const writes = new Map(updateKeys.map((k, i) => [hex(k), updateValues[i]]));
  const updateMs = await timeMedian(() => base.applyWrites(writes).root());
  const root = base.root();
  let proofBytes = 0;
  const proofMs = await timeMedian(() => {
    proofBytes = 0;
    for (const key of proofKeys) {
      const w = state.proveKey(base, key);
      proofBytes += state.encodeWitness(w).length;
      if (state.verifyWitness(root, w).get(key) === undefined) throw new Error("MerkleKV proof failed");
    }
  });
  return { updateMs, proofsPerSec: (PROOFS / proofMs) * 1000, proofBytes: proofBytes / PROOFS };
}

// ---- report ------------------------------------------------------------------------------------

const rows = [];
rows.push(["persistent-merkle-tree + hashtree, sparse depth 32 (sha256)", await benchPmt()]);
const kv = await benchMerkleKV();
if (kv) rows.push(["xshard MerkleKV (dist/, buckets + witnesses)", kv]);
rows.push(["@ethereumjs/binarytree, Blake3 (default)", await benchBinary(undefined, true)]);
rows.push(["@ethereumjs/binarytree, sha256 (node:crypto)", await benchBinary((m) => sha256(m), false)]);

const ref = rows[0][1];
const fmt = (x, d = 1) => (x === undefined ? "—" : x.toFixed(d));
console.log(`merkle-compare: ${BASE_KEYS} keys, ${UPDATES} writes + root, ${PROOFS} single-key proofs; median of ${REPS}`);
console.log(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}), node ${process.version}`);
if (!kv) console.log("(xshard MerkleKV row skipped: run `npm run build` first)");
console.log("");
console.log(
  ["tree".padEnd(60), "update+root ms", "× pmt", "proofs/s", "× pmt", "proof bytes"].join(" | "),
);
for (const [name, r] of rows) {
  console.log(
    [
      name.padEnd(60),
      fmt(r.updateMs).padStart(14),
      fmt(r.updateMs / ref.updateMs, 2).padStart(5),
      fmt(r.proofsPerSec, 0).padStart(8),
      fmt(r.proofsPerSec === undefined ? undefined : ref.proofsPerSec / r.proofsPerSec, 2).padStart(5),
      fmt(r.proofBytes, 0).padStart(11),
    ].join(" | "),
  );
}
console.log("\n× pmt: how many times slower than row 1 (higher = slower).");
