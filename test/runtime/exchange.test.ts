import { describe, expect, it } from "vitest";
import { contractPrincipal } from "../../src/crypto/hash.js";
import { Runtime, decodePayOrder, decodeReceipt, decodeU64 } from "../../src/runtime/index.js";
import type { Value } from "../../src/types.js";
import { Deployed, deploy, lit, principalOf, u64, user } from "./helpers.js";

const alice = user("alice");
const RESERVE = 1_000_000n;

interface Pool {
  a: Deployed;
  b: Deployed;
  ex: Deployed;
}

/** tokenA, tokenB and an exchange holding RESERVE of each; alice holds 10,000 A. */
function setup(): Pool {
  const rt = new Runtime();
  const ex = contractPrincipal("exchange");
  return {
    a: deploy(rt, "token", "tokenA", [lit(ex), u64(RESERVE), lit(alice), u64(10_000)]),
    b: deploy(rt, "token", "tokenB", [lit(ex), u64(RESERVE)]),
    ex: deploy(rt, "exchange", "exchange", [principalOf("tokenA"), principalOf("tokenB"), u64(RESERVE), u64(RESERVE)]),
  };
}

const balance = (t: Deployed, who: Uint8Array): bigint => decodeU64(t.ok(alice, "balanceOf", [lit(who)]).bytes);
const supply = (t: Deployed): bigint => decodeU64(t.ok(alice, "totalSupply").bytes);
const reserves = (ex: Deployed): [bigint, bigint] => {
  const r = ex.ok(alice, "reserves").bytes;
  return [decodeU64(r.subarray(0, 8)), decodeU64(r.subarray(8, 16))];
};
const expectedOut = (amountIn: bigint): bigint => (RESERVE * amountIn) / (RESERVE + amountIn);

describe("exchange, direct form: A.transfer → exchange.swap → B.transferAuthorized", () => {
  it("swaps at the constant product and conserves each token's total", () => {
    const { a, b, ex } = setup();
    const receipt = a.ok(alice, "transfer", [lit(ex.principal), u64(1000)]);
    const payOrder = ex.ok(alice, "swap", [receipt]);
    const o = decodePayOrder(payOrder.bytes);
    expect([o.token, o.to, o.amount]).toEqual([b.principal, alice, expectedOut(1000n)]);
    const paid = decodeReceipt(b.ok(alice, "transferAuthorized", [payOrder]).bytes);
    expect([paid.from, paid.to, paid.amount]).toEqual([ex.principal, alice, o.amount]);

    expect(balance(b, alice)).toBe(o.amount);
    expect(reserves(ex)).toEqual([RESERVE + 1000n, RESERVE - o.amount]);
    expect(balance(a, ex.principal)).toBe(RESERVE + 1000n);
    expect(balance(b, ex.principal)).toBe(RESERVE - o.amount);
    expect([supply(a), supply(b)]).toEqual([RESERVE + 10_000n, RESERVE]);
    expect(balance(a, alice) + balance(a, ex.principal)).toBe(supply(a));
    expect(balance(b, alice) + balance(b, ex.principal)).toBe(supply(b));
  });

  it("swaps B for A too", () => {
    const { a, b, ex } = setup();
    const payOrder = ex.ok(alice, "swap", [a.ok(alice, "transfer", [lit(ex.principal), u64(5000)])]);
    b.ok(alice, "transferAuthorized", [payOrder]);
    const got = balance(b, alice);
    const back = decodePayOrder(ex.ok(alice, "swap", [b.ok(alice, "transfer", [lit(ex.principal), u64(got)])]).bytes);
    expect(back.token).toEqual(a.principal);
    expect(back.amount).toBeLessThanOrEqual(5000n);
  });

  it("refuses a receipt used twice, from the wrong method, from an unknown token, or not to the exchange", () => {
    const { a, ex } = setup();
    const receipt = a.ok(alice, "transfer", [lit(ex.principal), u64(100)]);
    ex.ok(alice, "swap", [receipt]);
    ex.fails(alice, "swap", [receipt], "revert", /already used/);

    const wrongMethod: Value = { bytes: a.ok(alice, "transfer", [lit(ex.principal), u64(100)]).bytes, origin: { contract: "tokenA", method: "transferFrom" } };
    ex.fails(alice, "swap", [wrongMethod], "revert", /wrong method/);

    const rogue = deploy(a.runtime, "token", "rogue", [lit(alice), u64(100)]);
    ex.fails(alice, "swap", [rogue.ok(alice, "transfer", [lit(ex.principal), u64(100)])], "revert", /wrong token/);

    ex.fails(alice, "swap", [a.ok(alice, "transfer", [lit(user("bob")), u64(100)])], "revert", /not addressed to the exchange/);
    ex.fails(alice, "swap", [lit(receipt.bytes)], "revert", /unauthenticated/);
  });

  it("reverts when the output rounds to zero", () => {
    const rt = new Runtime();
    const ex = deploy(rt, "exchange", "exchange", [principalOf("tokenA"), principalOf("tokenB"), u64(1_000_000), u64(1)]);
    const a = deploy(rt, "token", "tokenA", [lit(alice), u64(10)]);
    ex.fails(alice, "swap", [a.ok(alice, "transfer", [lit(ex.principal), u64(1)])], "revert", /zero output/);
  });
});

describe("exchange, naive form: quote → A.transfer → paid → B.transferAuthorized → complete", () => {
  it("runs end to end and conserves each token's total", () => {
    const { a, b, ex } = setup();
    const orderId = ex.ok(alice, "quote", [u64(2000)]);
    const receipt = a.ok(alice, "transfer", [lit(ex.principal), u64(2000)]);
    const payOrder = ex.ok(alice, "paid", [orderId, receipt]);
    const payout = b.ok(alice, "transferAuthorized", [payOrder]);
    ex.ok(alice, "complete", [orderId, payout]);

    const out = expectedOut(2000n);
    expect(balance(b, alice)).toBe(out);
    expect(reserves(ex)).toEqual([RESERVE + 2000n, RESERVE - out]);
    expect(balance(a, alice) + balance(a, ex.principal)).toBe(supply(a));
    expect(balance(b, alice) + balance(b, ex.principal)).toBe(supply(b));
    ex.fails(alice, "complete", [orderId, payout], "revert", /not paid/);
  });

  it("checks each step: the payer, the amount, the token and method of each receipt, the order state", () => {
    const { a, b, ex } = setup();
    const orderId = ex.ok(alice, "quote", [u64(2000)]);
    ex.fails(alice, "paid", [orderId, a.ok(alice, "transfer", [lit(ex.principal), u64(1999)])], "revert", /amount differs/);
    const bobsReceipt = (() => {
      a.ok(alice, "transfer", [lit(user("bob")), u64(2000)]);
      return a.ok(user("bob"), "transfer", [lit(ex.principal), u64(2000)]);
    })();
    ex.fails(alice, "paid", [orderId, bobsReceipt], "revert", /not from the order's user/);
    ex.fails(alice, "paid", [u64(99), a.ok(alice, "transfer", [lit(ex.principal), u64(2000)])], "revert", /no such order/);

    const receipt = a.ok(alice, "transfer", [lit(ex.principal), u64(2000)]);
    ex.fails(alice, "complete", [orderId, receipt], "revert", /not paid/);
    const payOrder = ex.ok(alice, "paid", [orderId, receipt]);
    ex.fails(alice, "paid", [orderId, a.ok(alice, "transfer", [lit(ex.principal), u64(2000)])], "revert", /not quoted/);
    ex.fails(alice, "complete", [orderId, b.ok(alice, "balanceOf", [lit(alice)])], "revert", /wrong method/);
    const payout = b.ok(alice, "transferAuthorized", [payOrder]);
    ex.fails(alice, "complete", [orderId, { bytes: payout.bytes, origin: { contract: "tokenA", method: "transferAuthorized" } }], "revert", /wrong token/);
    ex.ok(alice, "complete", [orderId, payout]);
  });
});
