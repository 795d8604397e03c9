/**
 * What the receipts transitions need besides the state: parameters, the consume rule, the chain's
 * validators and shard committees (pure functions of the chain's seed, src/chain/), the signature
 * verifier and the contract runtime. Built once per chain by the driver; nothing here is read from
 * a clock or a global.
 */
import type { SignatureVerifier } from "../../crypto/bls.js";
import type { Runtime } from "../../runtime/index.js";
import type { Validator } from "../../chain/index.js";
import type { ConsumeRule } from "./consume/rule.js";
import type { ReceiptsParams } from "./params.js";

export interface ReceiptsContext {
  readonly params: ReceiptsParams;
  readonly rule: ConsumeRule;
  /** The chain's seed (proposers and committees derive from it). */
  readonly seed: string;
  readonly committeeSize: number;
  /** Most items (segments) in one shard block. */
  readonly blockTxLimit: number;
  readonly validators: readonly Validator[];
  /** The standing committee of each shard. */
  readonly committees: readonly (readonly Validator[])[];
  readonly verifier: SignatureVerifier;
  readonly runtime: Runtime;
}

