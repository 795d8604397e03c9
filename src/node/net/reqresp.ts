/**
 * Request/response protocols a node serves for catching up and for data it does not follow.
 * An id is `/xshard/<network>/req/<name>/1`; payloads are opaque bytes (SSZ containers, defined by
 * the node assembly); each protocol has its own request and response limits.
 */
import { XshardError } from "../../errors.js";
import type { ProtocolLimits } from "./types.js";

export type ReqRespName = "status" | "stage1_blocks_by_range" | "stage2_blocks_by_range" | "blocks_by_root" | "witnesses";

export const REQRESP_NAMES: readonly ReqRespName[] = ["status", "stage1_blocks_by_range", "stage2_blocks_by_range", "blocks_by_root", "witnesses"];

export const DEFAULT_REQRESP_LIMITS: Readonly<Record<ReqRespName, ProtocolLimits>> = {
  status: { maxRequestBytes: 256, maxResponseBytes: 256 },
  stage1_blocks_by_range: { maxRequestBytes: 64, maxResponseBytes: 32 * 1024 * 1024 },
  stage2_blocks_by_range: { maxRequestBytes: 64, maxResponseBytes: 32 * 1024 * 1024 },
  blocks_by_root: { maxRequestBytes: 32 * 64, maxResponseBytes: 32 * 1024 * 1024 },
  witnesses: { maxRequestBytes: 64 * 1024, maxResponseBytes: 8 * 1024 * 1024 },
};

export function computeProtocolId(network: string, name: ReqRespName): string {
  if (!/^[0-9a-z_-]{1,64}$/.test(network)) throw new XshardError("NET_BAD_PROTOCOL", `network id "${network}" must be 1–64 of [0-9a-z_-]`, { network });
  return `/xshard/${network}/req/${name}/1`;
}
