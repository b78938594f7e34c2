import type { TokenRequest } from './dev-idp.js';
import { generateCatalogues, generateLearner, randomStream } from './demo.js';

/*
 * Demo feedback for `npm start`, so the dashboard's quality panel and the
 * members' quality summaries have something to show: about half of the demo
 * learners' completed enrolments get ratings (and a few a comment), written
 * through the gateway as each learner, so every rule a learner meets applies
 * (only their own enrolment, enrolled or completed, ratings 1–5). Ratings are
 * drawn per offering around a level of its own, so offerings and members
 * differ as real ones would. Deterministic: sending the same feedback again
 * changes nothing, so a restart adds no revisions.
 */

export interface FeedbackDemoTarget {
  gatewayUrl: string;
  idp: { issue(request: TokenRequest): Promise<string> };
}

const SUBMIT = /* GraphQL */ `mutation ($input: OfferingFeedbackInput!) { submitOfferingFeedback(input: $input) { created changed } }`;
const COMMENTS = [
  'Clear structure and good examples.',
  'The workload was more than the credits suggest.',
  'Helpful feedback on the assignments.',
  'I would have liked more contact with the teachers.',
  'Working with students from other universities was the best part.',
  'The assessment matched what we were taught.',
];

/** Learners read for feedback (the first ones: every start writes the same). */
const LEARNERS_WITH_FEEDBACK = 1_500;
const CONCURRENCY = 8;

export async function seedFeedbackDemo(target: FeedbackDemoTarget, options: { learners: number }): Promise<{ submitted: number; created: number }> {
  const catalogues = generateCatalogues();
  const work: { learnerId: string; input: Record<string, unknown> }[] = [];
  const level = (offeringId: string) => 2.6 + randomStream(`quality:${offeringId}`)() * 2;
  for (let index = 0; index < Math.min(options.learners, LEARNERS_WITH_FEEDBACK); index++) {
    const person = generateLearner(index, catalogues);
    for (const enrolment of person.accounts.flatMap((account) => account.enrolments)) {
      const random = randomStream(`feedback:${enrolment.id}`);
      if (enrolment.status !== 'COMPLETED' || random() >= 0.5) continue;
      const base = level(enrolment.opportunityId);
      const rating = (spread: number) => Math.max(1, Math.min(5, Math.round(base + (random() - 0.5) * spread)));
      const comment = random() < 0.25 ? COMMENTS[Math.floor(random() * COMMENTS.length)] : undefined;
      work.push({
        learnerId: person.id,
        input: {
          enrolmentId: enrolment.id,
          ratings: { content: rating(2), workload: Math.max(1, Math.min(5, Math.round(3 + (random() - 0.4) * 2.5))), assessment: rating(2.5), support: rating(3), relevance: rating(2) },
          ...(comment ? { comment } : {}),
        },
      });
    }
  }
  let next = 0;
  let created = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < work.length) {
        const item = work[next++]!;
        const response = await fetch(target.gatewayUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${await target.idp.issue({ role: 'learner', learnerId: item.learnerId })}` },
          body: JSON.stringify({ query: SUBMIT, variables: { input: item.input } }),
        });
        const body = (await response.json()) as { data?: { submitOfferingFeedback?: { created: boolean } }; errors?: { message: string }[] };
        if (body.errors?.length) throw new Error(`demo feedback: ${body.errors.map((error) => error.message).join('; ')}`);
        if (body.data?.submitOfferingFeedback?.created) created += 1;
      }
    }),
  );
  return { submitted: work.length, created };
}
