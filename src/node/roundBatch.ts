/**
 * What a node's committee batch covers in a Stage-2 round (issue 13, the Stage-2 stall): a
 * function of the agreed chain and the round only, so that every node that imported the same
 * blocks builds the same batch root and the members' votes for it add up to 2/3.
 *
 * The node executes everything ready (its committee views are an execution cache); the Stage-2
 * budget (`budget.ts`) applies to what the batch claims: from the affirmed state on, the
 * committee's own steps in chain order (lowest sequence number first), while the next
 * transaction's claim gas fits (`isWithinStage2Budget`: the first always does). A transaction's
 * claim gas is `CommitteeViews.getStepGas` — metered instructions plus the fixed execution cost,
 * which depend only on the agreed pre-states. The header's `gasUsed` / `executions` are the sum of
 * those claims and the number of transactions covered: not the work the node happened to do since
 * its last round, which depends on when it imported and executed (the cause of the stall). For the
 * same reason an affirmation lists only the assumed roots the chain has not affirmed yet.
 */
import { produceBatches, type BatchSource, type RoundWork } from "../protocols/delayed/batches.js";
import { HONEST_BEHAVIOUR } from "../protocols/delayed/behaviour.js";
import { computeStage2Budget, isWithinStage2Budget } from "../protocols/delayed/budget.js";
import type { CommitteeViews } from "../protocols/delayed/committee.js";
import { NOOP_OBSERVER } from "../protocols/delayed/observer.js";
import type { AssumedRoot } from "../protocols/delayed/rules.js";
import type { Batch } from "../protocols/delayed/stage2.js";
import { getAffirmedIdx, getContract, getLogItem } from "../protocols/delayed/state.js";
import { createNoopVerifier } from "../crypto/bls.js";
import type { ContractId } from "../types.js";

/** Per followed contract of committee `k`: the end of the positions its batch covers this round, and the work the batch claims. */
export function selectRoundSteps(views: CommitteeViews, k: number): { ends: Map<ContractId, number>; work: RoundWork } {
  const chain = views.chain;
  const budget = computeStage2Budget(chain.params);
  const ends = new Map<ContractId, number>();
  const steps: { seq: number; id: ContractId; pos: number }[] = [];
  for (const id of views.followed[k] ?? []) {
    const rec = getContract(chain, id);
    const from = getAffirmedIdx(rec);
    ends.set(id, from);
    for (let pos = from; pos < views.frontier(id).localIdx; pos++) steps.push({ seq: getLogItem(rec.queue, pos), id, pos });
  }
  steps.sort((a, b) => a.seq - b.seq || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  let gasUsed = 0;
  let executions = 0;
  for (let i = 0; i < steps.length; ) {
    const seq = (steps[i] as { seq: number }).seq;
    const gas = views.getStepGas(k, seq);
    if (gas === undefined || !isWithinStage2Budget(gasUsed, gas, budget)) break;
    gasUsed += gas;
    executions++;
    // A transaction on several of the committee's contracts: covered on all of them or none.
    for (; i < steps.length && (steps[i] as { seq: number }).seq === seq; i++) {
      const s = steps[i] as { id: ContractId; pos: number };
      ends.set(s.id, s.pos + 1);
    }
  }
  return { ends, work: { gasUsed, executions } };
}

/** The views as the batch builder reads them, each contract's frontier cut at `ends` (from its affirmed state on). */
export function createRoundSource(views: CommitteeViews, ends: ReadonlyMap<ContractId, number>): BatchSource {
  return {
    chain: views.chain,
    followed: views.followed,
    frontier: (id) => {
      const f = views.frontier(id);
      const producedIdx = getAffirmedIdx(getContract(views.chain, id));
      const localIdx = ends.get(id) ?? producedIdx;
      // Only roots still unaffirmed: whether a root was affirmed when the step ran depends on when
      // the node ran it (an affirmed one equals the chain's, or the work was discarded).
      const assumed: AssumedRoot[][] = [];
      for (let i = producedIdx; i < localIdx; i++) assumed[i] = (f.assumed[i] ?? []).filter((a) => a.position > getAffirmedIdx(getContract(views.chain, a.contract)));
      return { producedIdx, localIdx, roots: f.roots, leaves: f.leaves, leafRoots: f.leafRoots, assumed };
    },
    getSnap: (id, pos) => views.getSnap(id, pos),
    local: (seq) => views.local(seq),
  };
}

/** Committee `k`'s unsigned batch for round `round` (`selectRoundSteps`), or undefined when it covers nothing. */
export function buildRoundBatch(views: CommitteeViews, k: number, round: number): Batch | undefined {
  const { ends, work } = selectRoundSteps(views, k);
  const source = createRoundSource(views, ends);
  const [signed] = produceBatches(source, k, round, round, work, HONEST_BEHAVIOUR, createNoopVerifier(), NOOP_OBSERVER);
  return signed?.batch;
}
