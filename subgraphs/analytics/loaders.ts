import DataLoader from 'dataloader';
import type { SignedIn } from '../../lib/access.js';
import { MAX_BATCH } from '../../lib/loaders.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import { callService, type SubgraphCaller } from '../../lib/subgraph-calls.js';
import { OfferingFeedback } from './records.js';

/** The subgraphs analytics reads from: the member router (enrolments, counts) and the learner register (mobility counts). */
export type AnalyticsSource = 'members' | 'learners' | 'issuance' | 'recognition' | 'esco';

/**
 * Per-request loaders: a list of N offerings with their summaries costs one
 * query of the feedback table per batch of members and at most one call to the member router (the
 * enrolment counts, as aliases of one query), never N of each.
 */
export function createAnalyticsLoaders(em: SqlEntityManager, sources: SubgraphCaller<AnalyticsSource>) {
  return {
    /** Every feedback on a member's offerings (summaries of one offering are suppressed against the member's others). */
    feedbackByMember: new DataLoader<string, OfferingFeedback[]>(
      async (ids) => {
        const rows = await em.find(OfferingFeedback, { memberId: { $in: [...ids] } }, { orderBy: { id: 'asc' } });
        return ids.map((id) => rows.filter((row) => row.memberId === id));
      },
      { maxBatchSize: MAX_BATCH },
    ),
    /** Enrolments per offering as the member publishes them to this caller (null: withheld or not readable). */
    enrolments: (caller: SignedIn) =>
      new DataLoader<string, number | null>(
        async (ids) => {
          const query = `query FeedbackUptake(${ids.map((_, i) => `$i${i}: ID!`).join(', ')}) { ${ids.map((_, i) => `o${i}: offering(id: $i${i}) { uptake { enrolments } }`).join(' ')} }`;
          const body = await callService(sources, 'members', caller, query, Object.fromEntries(ids.map((id, i) => [`i${i}`, id]))).catch(() => null);
          return ids.map((_, i) => ((body?.data?.[`o${i}`] as { uptake: { enrolments: number | null } | null } | null | undefined)?.uptake?.enrolments ?? null));
        },
        { maxBatchSize: 50 },
      ),
  };
}

export type AnalyticsLoaders = ReturnType<typeof createAnalyticsLoaders>;
