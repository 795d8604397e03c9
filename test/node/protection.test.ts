/**
 * Slashing protection in the store (`src/node/store/protection.ts`; docs/node.md "Slashing
 * protection"): the rule (one message per validator, duty and slot — the same again is allowed),
 * one transaction per call (a refusal records nothing), durable across a reopen and a kill -9
 * (what was reported published is on disk), the schema-1 migration and the refusal of a newer schema.
 */
import { afterEach, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { open } from "lmdb";
import { sha256 } from "../../src/crypto/hash.js";
import { checkSigned, decodeSignedKey, encodeSignedKey, NodeStore, SCHEMA_VERSION, SIGNED_DUTIES, type SignedEntry } from "../../src/node/store/index.js";
import { errorCodeOf } from "../helpers/errors.js";

const dirs: string[] = [];
const stores: NodeStore[] = [];
function fresh(): string {
  const path = mkdtempSync(join(tmpdir(), "xshard-protection-"));
  dirs.push(path);
  return path;
}
function openStore(path: string): NodeStore {
  const s = NodeStore.open({ path });
  stores.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const header = (validator: number, slot: number, name: string, duty: SignedEntry["duty"] = SIGNED_DUTIES.stage1Vote): SignedEntry => ({ validator, duty, slot, skip: false, root: sha256(name) });
const skip = (validator: number, slot: number, duty: SignedEntry["duty"] = SIGNED_DUTIES.stage1Vote): SignedEntry => ({ validator, duty, slot, skip: true, root: sha256(`skip-${slot}`) });
const codeOf = errorCodeOf;

describe("slashing protection records", () => {
  it("the rule: nothing signed → sign; the same message again → sign; anything else → SLASHING_PROTECTION", () => {
    expect(checkSigned(undefined, header(1, 5, "a"))).toBeUndefined();
    expect(checkSigned({ skip: false, root: sha256("a") }, header(1, 5, "a"))).toBeUndefined();
    expect(checkSigned({ skip: true, root: sha256("skip-5") }, skip(1, 5))).toBeUndefined();
    expect(checkSigned({ skip: false, root: sha256("a") }, header(1, 5, "b"))?.code).toBe("SLASHING_PROTECTION");
    expect(checkSigned({ skip: false, root: sha256("a") }, skip(1, 5))?.code).toBe("SLASHING_PROTECTION");
    const e = checkSigned({ skip: true, root: sha256("skip-5") }, header(1, 5, "a"));
    expect(e?.code).toBe("SLASHING_PROTECTION");
    expect(e?.message).toBe(`validator 1 signed a skip for stage1_vote of slot 5: refusing header 0x${Buffer.from(sha256("a")).toString("hex").slice(0, 16)}`);
  });

  it("keys: validator, duty and slot round-trip, in slot order per validator and duty; bad ones are STORE_BAD_KEY", () => {
    expect(decodeSignedKey(encodeSignedKey(7, SIGNED_DUTIES.stage2Proposal, 2 ** 40))).toEqual({ validator: 7, duty: SIGNED_DUTIES.stage2Proposal, slot: 2 ** 40 });
    expect(Buffer.compare(encodeSignedKey(7, 1, 255), encodeSignedKey(7, 1, 256))).toBe(-1);
    expect(codeOf(() => encodeSignedKey(-1, 1, 0))).toBe("STORE_BAD_KEY");
    expect(codeOf(() => encodeSignedKey(0, 9 as SignedEntry["duty"], 0))).toBe("STORE_BAD_KEY");
    expect(codeOf(() => encodeSignedKey(0, 1, -1))).toBe("STORE_BAD_KEY");
  });

  it("records per validator, duty and slot; a refusal in a call records none of it; kept across a reopen", async () => {
    const path = fresh();
    const store = openStore(path);
    store.recordSigned([header(1, 5, "a"), header(2, 5, "a"), skip(1, 6), header(1, 5, "p", SIGNED_DUTIES.stage1Proposal)]);
    store.recordSigned([header(1, 5, "a")]); // the same again
    expect(codeOf(() => store.recordSigned([header(1, 5, "b")]))).toBe("SLASHING_PROTECTION");
    expect(codeOf(() => store.recordSigned([skip(1, 5)]))).toBe("SLASHING_PROTECTION");
    expect(codeOf(() => store.recordSigned([header(1, 6, "a")]))).toBe("SLASHING_PROTECTION");
    // Another duty or chain of the same slot is another record.
    store.recordSigned([header(1, 5, "c", SIGNED_DUTIES.stage2Vote)]);
    // All or nothing: validator 3's record is not written when validator 1's is refused, nor two conflicting in one call.
    expect(codeOf(() => store.recordSigned([header(3, 5, "a"), header(1, 5, "b")]))).toBe("SLASHING_PROTECTION");
    expect(codeOf(() => store.recordSigned([header(4, 5, "a"), header(4, 5, "b")]))).toBe("SLASHING_PROTECTION");
    expect(store.signed.get(3, SIGNED_DUTIES.stage1Vote, 5)).toBeUndefined();
    expect(store.signed.get(4, SIGNED_DUTIES.stage1Vote, 5)).toBeUndefined();
    expect(codeOf(() => store.recordSigned([{ ...header(1, 9, "a"), root: new Uint8Array(31) }]))).toBe("STORE_BAD_KEY");
    expect(store.getCounts()["signed"]).toBe(5);
    await store.close();
    const again = openStore(path);
    expect(again.signed.get(1, SIGNED_DUTIES.stage1Vote, 5)).toEqual({ skip: false, root: sha256("a") });
    expect(again.signed.get(1, SIGNED_DUTIES.stage1Vote, 6)).toEqual({ skip: true, root: sha256("skip-6") });
    expect(again.signed.getFrom(1, SIGNED_DUTIES.stage1Vote, 0).map((e) => [e.slot, e.skip])).toEqual([[5, false], [6, true]]);
    expect(again.signed.getFrom(1, SIGNED_DUTIES.stage1Vote, 6).map((e) => e.slot)).toEqual([6]);
    expect(codeOf(() => again.recordSigned([header(1, 5, "b")]))).toBe("SLASHING_PROTECTION");
    await again.close();
    expect(codeOf(() => again.recordSigned([header(1, 7, "a")]))).toBe("STORE_CLOSED");
  });

  it("a schema-1 store is migrated to schema 2 (its signed bucket empty); a newer schema is STORE_SCHEMA_MISMATCH", async () => {
    expect(SCHEMA_VERSION).toBe(2);
    const path = fresh();
    const raw = open({ path });
    const meta = raw.openDB<unknown, string>({ name: "meta", encoding: "msgpack" });
    await meta.put("schema", 1);
    await raw.close();
    const read = NodeStore.open({ path, readOnly: true }); // a reader of a schema-1 store, not migrating it
    await read.close();
    const store = openStore(path);
    expect(store.getCounts()["signed"]).toBe(0);
    store.recordSigned([header(1, 1, "a")]);
    await store.close();
    stores.splice(0);
    const raw2 = open({ path });
    const meta2 = raw2.openDB<unknown, string>({ name: "meta", encoding: "msgpack" });
    expect(meta2.get("schema")).toBe(2);
    await meta2.put("schema", 3);
    await raw2.close();
    expect(codeOf(() => NodeStore.open({ path }))).toBe("STORE_SCHEMA_MISMATCH");
  });

  it("kill -9: every signature the writer reported published is on disk, and refuses a conflicting one", async () => {
    const path = fresh();
    const writer = join(import.meta.dirname, "fixtures", "signedWriter.ts");
    for (let round = 0; round < 2; round++) {
      const reported = await new Promise<number>((resolve, reject) => {
        const child = spawn(process.execPath, ["--import", "tsx", writer, path], { stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        let err = "";
        let killing = false;
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          if (!killing && out.split("\n").length > 20) {
            killing = true;
            setTimeout(() => child.kill("SIGKILL"), 3);
          }
        });
        child.stderr.on("data", (d: Buffer) => (err += d.toString()));
        child.on("exit", (code, signal) => {
          if (signal !== "SIGKILL") return reject(new Error(`writer exited with ${code}: ${err}`));
          const lines = out.split("\n").filter((l) => l.length > 0);
          resolve(Number(lines[lines.length - 1]));
        });
      });
      const store = openStore(path);
      const held = store.signed.getFrom(0, SIGNED_DUTIES.stage1Vote, 0);
      expect(held.length).toBeGreaterThan(reported); // nothing reported published was lost
      held.forEach((e, slot) => expect([e.slot, e.skip, Buffer.from(e.root).equals(sha256(`header-${slot}`))]).toEqual([slot, false, true]));
      for (let slot = 0; slot <= reported; slot++) expect(store.signed.get(1, SIGNED_DUTIES.stage1Vote, slot)?.skip).toBe(slot % 2 === 1);
      expect(codeOf(() => store.recordSigned([header(0, reported, "other")]))).toBe("SLASHING_PROTECTION");
      await store.close();
      stores.splice(0);
    }
  }, 60_000);
});
