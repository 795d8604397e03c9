import { describe, expect, it } from "vitest";
import { contractPrincipal } from "../../src/crypto/hash.js";
import { Runtime, decodeReceipt, decodeU64, encodePayOrder, type PayOrder } from "../../src/runtime/index.js";
import type { Value } from "../../src/types.js";
import { Deployed, deploy, lit, u64, user } from "./helpers.js";

const alice = user("alice");
const bob = user("bob");
const carol = user("carol");

function setup(): Deployed {
  return deploy(new Runtime(), "token", "tokenA", [lit(alice), u64(1000), lit(bob), u64(500)]);
}

const balance = (t: Deployed, who: Uint8Array): bigint => decodeU64(t.ok(alice, "balanceOf", [lit(who)]).bytes);

/** A PAY1 order as the value a call to `contract.method` returned. */
function order(o: PayOrder, contract: string, method = "pay"): Value {
  return { bytes: encodePayOrder(o), origin: { contract, method } };
}

describe("token", () => {
  it("init mints once; totalSupply and balanceOf read it", () => {
    const t = setup();
    expect(decodeU64(t.ok(alice, "totalSupply").bytes)).toBe(1500n);
    expect(balance(t, alice)).toBe(1000n);
    expect(balance(t, bob)).toBe(500n);
    expect(balance(t, carol)).toBe(0n);
    t.fails(alice, "init", [lit(carol), u64(1)], "revert", /already initialized/);
  });

  it("transfer moves the amount from the caller and returns a receipt", () => {
    const t = setup();
    const r = decodeReceipt(t.ok(alice, "transfer", [lit(carol), u64(300)]).bytes);
    expect(r).toEqual({ token: contractPrincipal("tokenA"), from: alice, to: carol, amount: 300n, seq: 0n });
    expect(balance(t, alice)).toBe(700n);
    expect(balance(t, carol)).toBe(300n);
    expect(decodeU64(t.ok(alice, "totalSupply").bytes)).toBe(1500n);
  });

  it("receipts are unique: the sequence number counts transfers", () => {
    const t = setup();
    const seqs = [1, 2, 3].map(() => decodeReceipt(t.ok(alice, "transfer", [lit(bob), u64(1)]).bytes).seq);
    expect(seqs).toEqual([0n, 1n, 2n]);
  });

  it("insufficient balance reverts and changes nothing", () => {
    const t = setup();
    t.fails(bob, "transfer", [lit(carol), u64(501)], "revert", /^insufficient balance$/);
  });

  it("approve and transferFrom spend within the allowance and lower it", () => {
    const t = setup();
    t.ok(alice, "approve", [lit(carol), u64(100)]);
    const r = decodeReceipt(t.ok(carol, "transferFrom", [lit(alice), lit(bob), u64(60)]).bytes);
    expect([r.from, r.to, r.amount]).toEqual([alice, bob, 60n]);
    expect(balance(t, bob)).toBe(560n);
    t.fails(carol, "transferFrom", [lit(alice), lit(bob), u64(41)], "revert", /insufficient allowance/);
    t.ok(carol, "transferFrom", [lit(alice), lit(bob), u64(40)]);
    t.fails(bob, "transferFrom", [lit(alice), lit(bob), u64(1)], "revert", /insufficient allowance/);
  });

  describe("transferAuthorized", () => {
    /** The token with 200 units held by contract "escrow". */
    function withEscrow(): Deployed {
      const t = setup();
      t.ok(alice, "transfer", [lit(contractPrincipal("escrow")), u64(200)]);
      return t;
    }
    const pay = (amount: bigint, nonce: bigint): PayOrder => ({ token: contractPrincipal("tokenA"), to: carol, amount, nonce });

    it("pays an order out of the balance of the contract that returned it", () => {
      const t = withEscrow();
      const r = decodeReceipt(t.ok(bob, "transferAuthorized", [order(pay(150n, 7n), "escrow")]).bytes);
      expect([r.from, r.to, r.amount]).toEqual([contractPrincipal("escrow"), carol, 150n]);
      expect(balance(t, contractPrincipal("escrow"))).toBe(50n);
      expect(balance(t, carol)).toBe(150n);
      expect(balance(t, bob)).toBe(500n);
    });

    it("refuses an order without an origin (a literal anyone could write)", () => {
      withEscrow().fails(bob, "transferAuthorized", [lit(encodePayOrder(pay(1n, 0n)))], "revert", /unauthenticated/);
    });

    it("refuses an order naming another token", () => {
      const forged = { ...pay(1n, 0n), token: contractPrincipal("tokenB") };
      withEscrow().fails(bob, "transferAuthorized", [order(forged, "escrow")], "revert", /wrong token/);
    });

    it("refuses a replayed order, but takes another nonce", () => {
      const t = withEscrow();
      t.ok(bob, "transferAuthorized", [order(pay(10n, 1n), "escrow")]);
      t.fails(bob, "transferAuthorized", [order(pay(10n, 1n), "escrow")], "revert", /replayed/);
      t.ok(bob, "transferAuthorized", [order(pay(10n, 2n), "escrow")]);
    });

    it("refuses an order beyond the payer's balance, or malformed", () => {
      const t = withEscrow();
      t.fails(bob, "transferAuthorized", [order(pay(201n, 1n), "escrow")], "revert", /insufficient balance/);
      t.fails(bob, "transferAuthorized", [{ bytes: new Uint8Array(84), origin: { contract: "escrow", method: "pay" } }], "revert", /bad order/);
    });
  });
});
