import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { bearer } from '../helpers/tokens.js';
import { openRecognitionDatabase } from '../../subgraphs/recognition/database.js';
import { ERASED_LEARNER } from '../../subgraphs/recognition/erasure.js';
import { PathwayFollow, RecognitionEvent, RecognitionEvidence, RecognitionRequest } from '../../subgraphs/recognition/records.js';
import { membersOf, SUBMIT, learner } from './helpers.js';
import { everyone } from '../issuance/demo-achievements.js';

/*
 * Erasure reaches the recognition service (docs/security.md, "Erasure"): a
 * member's decision stays its record, but the learner's id, their portfolio,
 * their own words in the history and the pathways they followed go.
 */

let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(async () => {
  await hub?.stop();
});

describe('erasing a learner in recognition', () => {
  it('keeps the member\'s requests without the person: id replaced, portfolio and learner steps emptied, follows deleted', async () => {
    const person = everyone.find((candidate) => membersOf(candidate.id).length >= 1) as { id: string };
    const me = await learner(hub, person.id);
    const memberId = membersOf(person.id)[0] as string;
    const reflection = 'I organised a neighbourhood energy co-operative with forty households, measured what we saved and wrote the report myself. '.repeat(2);
    const submitted = await hub.query(
      SUBMIT,
      { input: { memberId, creditSlot: { ects: 5, eqfLevel: 6, area: 'Electives' }, evidence: [{ portfolio: { title: 'Energy co-operative', reflection, links: ['https://example.org/my-report'] } }], consent: true, statement: 'Please recognise this as electives.' } },
      me,
    );
    expect(submitted.body.errors).toBeUndefined();
    const requestId = submitted.body.data?.['submitRecognitionRequest'].request.id as string;
    const admin = await bearer(hub.hub, { role: 'alliance-admin', subject: 'admin@eciu.eu' });
    const pathway = await hub.query(`mutation ($input: PathwayInput!) { createPathway(input: $input) { id } }`, { input: { name: 'Erasure test certificate', ectsMin: 5, minMembers: 1, requirements: [] } }, admin);
    const pathwayId = pathway.body.data?.['createPathway'].id as string;
    expect((await hub.query(`mutation ($id: ID!) { followPathway(pathwayId: $id) { id } }`, { id: pathwayId }, me)).body.errors).toBeUndefined();

    const erased = await hub.query(`mutation ($confirm: ID!) { eraseMyAccount(confirm: $confirm) { id } }`, { confirm: person.id }, me);
    expect(erased.body.errors).toBeUndefined();
    const receiptId = erased.body.data?.['eraseMyAccount'].id as string;
    let counts: Record<string, number> | undefined;
    for (let attempt = 0; attempt < 100 && !counts; attempt += 1) {
      const receipt = await hub.query(`query ($id: ID!) { erasureReceipt(id: $id) { targets { target status counts { kind count } } } }`, { id: receiptId }, me);
      const target = (receipt.body.data?.['erasureReceipt']?.targets as { target: string; status: string; counts: { kind: string; count: number }[] }[] | undefined)?.find((item) => item.target === 'recognition');
      if (target?.status === 'DONE') counts = Object.fromEntries(target.counts.map((entry) => [entry.kind, entry.count]));
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(counts).toMatchObject({ requests: 1, evidence: 1, follows: 1 });

    const orm = await openRecognitionDatabase({ kind: 'sqlite', location: join(hub.dataDir, 'recognition.sqlite') }, { migrate: false });
    try {
      const em = orm.em.fork();
      expect(await em.findOne(RecognitionRequest, { id: requestId })).toMatchObject({ learnerId: ERASED_LEARNER, memberId });
      expect(await em.count(RecognitionRequest, { learnerId: person.id })).toBe(0);
      const evidence = await em.find(RecognitionEvidence, { requestId });
      expect(evidence.map((item) => [item.title, item.reflection ?? null, item.linkList ?? null])).toEqual([['Energy co-operative', null, null]]);
      const steps = await em.find(RecognitionEvent, { requestId, actorRole: 'LEARNER' });
      expect(steps.length).toBeGreaterThan(0);
      expect(steps.every((step) => step.actorSubject === 'erased learner' && !step.message)).toBe(true);
      expect(await em.count(PathwayFollow, { learnerId: person.id })).toBe(0);
    } finally {
      await orm.close();
    }
  });
});
