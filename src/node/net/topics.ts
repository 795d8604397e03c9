/**
 * Gossip topic names and their size limits. A topic is `/xshard/<network>/<name>/ssz`, where
 * `<network>` binds it to one chain (the node passes a prefix of its genesis root) and `<name>` is
 * one of the kinds below; affirmations have one topic per Stage-2 committee.
 */
import { XshardError } from "../../errors.js";

/** `batch`: a committee's unsigned batch body, for Stage-2 proposers that do not follow that committee (docs/node.md "Following"). */
export type TopicKind = "transaction" | "stage1_block" | "attestation" | "affirmation" | "stage2_block" | "batch";

export const TOPIC_KINDS: readonly TopicKind[] = ["transaction", "stage1_block", "attestation", "affirmation", "stage2_block", "batch"];

export interface TopicName {
  readonly network: string;
  readonly kind: TopicKind;
  /** Present exactly for `affirmation`. */
  readonly committee?: number;
}

/** Largest accepted message per kind, in bytes (checked before anything is decoded). */
export type GossipLimits = Readonly<Record<TopicKind, number>>;

export const DEFAULT_GOSSIP_LIMITS: GossipLimits = {
  transaction: 64 * 1024,
  stage1_block: 4 * 1024 * 1024,
  attestation: 4 * 1024,
  affirmation: 64 * 1024,
  stage2_block: 4 * 1024 * 1024,
  batch: 1024 * 1024,
};

const NETWORK_RE = /^[0-9a-z_-]{1,64}$/;
const TOPIC_RE = /^\/xshard\/([0-9a-z_-]{1,64})\/([a-z0-9_]+)\/ssz$/;

export function computeTopic(network: string, kind: TopicKind, committee?: number): string {
  if (!NETWORK_RE.test(network)) throw new XshardError("NET_BAD_TOPIC", `network id "${network}" must be 1–64 of [0-9a-z_-]`, { network });
  if (kind === "affirmation") {
    if (committee === undefined || !Number.isSafeInteger(committee) || committee < 0) {
      throw new XshardError("NET_BAD_TOPIC", "an affirmation topic needs a committee index ≥ 0", { kind, committee });
    }
    return `/xshard/${network}/affirmation_${committee}/ssz`;
  }
  if (committee !== undefined) throw new XshardError("NET_BAD_TOPIC", `topic kind ${kind} takes no committee`, { kind, committee });
  return `/xshard/${network}/${kind}/ssz`;
}

/** Parses a topic string; `undefined` when it is not an xshard topic. */
export function parseTopic(topic: string): TopicName | undefined {
  const m = TOPIC_RE.exec(topic);
  if (m === null) return undefined;
  const network = m[1] as string;
  const name = m[2] as string;
  const aff = /^affirmation_(0|[1-9][0-9]{0,8})$/.exec(name);
  if (aff !== null) return { network, kind: "affirmation", committee: Number(aff[1]) };
  if ((TOPIC_KINDS as readonly string[]).includes(name) && name !== "affirmation") return { network, kind: name as TopicKind };
  return undefined;
}

/** The size limit of a topic string; unknown topics get the smallest limit of all. */
export function computeTopicMaxBytes(topic: string, limits: GossipLimits = DEFAULT_GOSSIP_LIMITS): number {
  const parsed = parseTopic(topic);
  if (parsed === undefined) return Math.min(...Object.values(limits));
  return limits[parsed.kind];
}

/** The largest limit of any topic (bounds a whole gossip RPC frame). */
export function computeMaxGossipBytes(limits: GossipLimits = DEFAULT_GOSSIP_LIMITS): number {
  return Math.max(...Object.values(limits));
}
