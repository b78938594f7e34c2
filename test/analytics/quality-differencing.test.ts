import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogues, everyone } from '../issuance/demo-achievements.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { asLearner, bearer } from '../helpers/tokens.js';

/*
 * Differencing across quality summaries: a member's summary and its
 * offerings' summaries are one table (responses per offering and their
 * total). With one offering under k and another published, the member's
 * total minus the published one would give the withheld count away; the
 * published one is withheld too (complementary suppression).
 */

const SUBMIT = /* GraphQL */ `mutation ($input: OfferingFeedbackInput!) { submitOfferingFeedback(input: $input) { created } }`;
const SUMMARIES = /* GraphQL */ `query ($a: ID!, $b: ID!, $m: ID!) {
  a: offering(id: $a) { qualitySummary { withheld responses } }
  b: offering(id: $b) { qualitySummary { withheld responses } }
  m: institution(id: $m) { qualitySummary { withheld responses } }
}`;

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(async () => {
  await hub?.stop();
});

/** Enrolments that may give feedback (ENROLLED or COMPLETED), per offering. */
const eligible = new Map<string, { learnerId: string; enrolmentId: string }[]>();
for (const learner of everyone) {
  for (const account of learner.accounts) {
    for (const enrolment of account.enrolments) {
      if (enrolment.status !== 'ENROLLED' && enrolment.status !== 'COMPLETED') continue;
      eligible.set(enrolment.opportunityId, [...(eligible.get(enrolment.opportunityId) ?? []), { learnerId: learner.id, enrolmentId: enrolment.id }]);
    }
  }
}

describe('quality summaries of one member', () => {
  it('withhold a published offering too when the member total would reveal a withheld one', async () => {
    const [memberId, offerings] = [...catalogues].find(([, list]) => list.filter((offering) => (eligible.get(offering.id)?.length ?? 0) >= 5).length >= 1 && list.filter((offering) => (eligible.get(offering.id)?.length ?? 0) >= 1).length >= 2) as [string, { id: string }[]];
    const a = offerings.find((offering) => (eligible.get(offering.id)?.length ?? 0) >= 5) as { id: string };
    const b = offerings.find((offering) => offering.id !== a.id && (eligible.get(offering.id)?.length ?? 0) >= 1) as { id: string };
    const give = async (offeringId: string, n: number) => {
      for (const { learnerId, enrolmentId } of (eligible.get(offeringId) ?? []).slice(0, n)) {
        const body = (await hub.query(SUBMIT, { input: { enrolmentId, ratings: { content: 4, workload: 3, assessment: 4, support: 4, relevance: 4 } } }, await asLearner(hub.hub, learnerId))).body;
        expect(body.errors).toBeUndefined();
      }
    };
    await give(a.id, 5);
    await give(b.id, 1);
    const analyst = await bearer(hub.hub, { role: 'analyst' });
    const { body } = await hub.query(SUMMARIES, { a: a.id, b: b.id, m: memberId }, analyst);
    expect(body.errors).toBeUndefined();
    expect(body.data?.['m'].qualitySummary).toEqual({ withheld: false, responses: 6 });
    expect(body.data?.['b'].qualitySummary).toEqual({ withheld: true, responses: null });
    // Published, 5 would give 6 − 5 = 1 for b.
    expect(body.data?.['a'].qualitySummary).toEqual({ withheld: true, responses: null });

    // Once b reaches k too, both are published.
    await give(b.id, Math.min(5, eligible.get(b.id)?.length ?? 0));
    if ((eligible.get(b.id)?.length ?? 0) >= 5) {
      const again = (await hub.query(SUMMARIES, { a: a.id, b: b.id, m: memberId }, analyst)).body;
      expect(again.data?.['a'].qualitySummary).toEqual({ withheld: false, responses: 5 });
      expect(again.data?.['b'].qualitySummary).toEqual({ withheld: false, responses: 5 });
    }
  });
});
