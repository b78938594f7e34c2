import { describe, expect, it } from 'vitest';
import { awardClaims, checkAuthority, type AuthoritySource } from '../../subgraphs/issuance/authority.js';
import { buildCredential } from '../../subgraphs/issuance/edc.js';
import { buildStackedCredential } from '../../subgraphs/issuance/edc-stacked.js';
import type { StackedCredentialFacts } from '../../subgraphs/issuance/facts.js';
import { FULL, PARTICIPATION, SPARSE, fixtureAuthority } from './fixtures.js';

/*
 * The accreditation rule as verification applies it (issue 15 fix 5): from
 * what the credential claims and what the awarding member says now, never from
 * the issuing path's word.
 */

const credential = (facts: typeof FULL) => buildCredential({ ...facts, credentialId: 'urn:uuid:6f0f4f5e-4c1c-4a43-9f59-1b0c8c6f0a11' });

describe('the accreditation rule at verification', () => {
  it('reads the awarding member, the offering, the assessment date and whether credit is awarded from the credential', () => {
    expect(awardClaims(credential(FULL))).toEqual([
      { awardingBody: 'urn:eciu:member:tuni.fi', memberId: 'tuni.fi', offeringId: 'tuni.fi:mm-204', assessedOn: FULL.achievement.assessedOn, awardsCredit: true, pathwayId: null },
    ]);
    expect(awardClaims(credential(PARTICIPATION))[0]).toMatchObject({ memberId: 'utwente.nl', awardsCredit: false });
  });

  it('passes credit awarded by a member that may approve micro-credentials, and a credential awarding none', async () => {
    expect(await checkAuthority(awardClaims(credential(FULL)), fixtureAuthority)).toEqual({ passed: true, reason: 'Tampere University may approve micro-credentials (FULL)' });
    expect(await checkAuthority(awardClaims(credential(PARTICIPATION)), fixtureAuthority)).toEqual({ passed: true, reason: 'it awards no credit, so no accreditation is needed' });
    expect((await checkAuthority(awardClaims(credential(SPARSE)), fixtureAuthority)).passed).toBe(true);
  });

  it('refuses credit awarded in the name of a member without the authority and without a valid external accreditation', async () => {
    // The participation fixture's member (level NONE) and offering, but a micro-credential that awards credit.
    const forged = credential({ ...PARTICIPATION, kind: 'MICRO_CREDENTIAL', achievement: { ...PARTICIPATION.achievement, ectsAwarded: 3 } });
    const check = await checkAuthority(awardClaims(forged), fixtureAuthority);
    expect(check.passed).toBe(false);
    expect(check.reason).toMatch(/^it awards credit it may not: University of Twente \(accreditation authority NONE\) may not approve credit-bearing micro-credentials on its own, and the offering has no external accreditation record\.$/);
    // With a record valid on the assessment date, the same credit is allowed.
    const accredited: AuthoritySource = {
      lookup: async (id) => ({ ...(await fixtureAuthority.lookup(id))!, externalAccreditation: { reference: 'NVAO-1', body: 'NVAO', decidedOn: '2026-01-01', validUntil: null, url: null } }),
    };
    expect(await checkAuthority(awardClaims(forged), accredited)).toEqual({ passed: true, reason: `the offering's external accreditation was valid on ${PARTICIPATION.achievement.assessedOn}` });
  });

  it('refuses credit in the name of something that is not a member, or for an offering the member does not have', async () => {
    const claims = awardClaims(credential(FULL));
    expect(await checkAuthority([{ ...claims[0]!, awardingBody: 'https://diploma-mill.example', memberId: null }], fixtureAuthority)).toMatchObject({ passed: false, reason: expect.stringMatching(/not an alliance member/) });
    expect(await checkAuthority([{ ...claims[0]!, memberId: 'ktu.edu' }], fixtureAuthority)).toMatchObject({ passed: false, reason: expect.stringMatching(/is not one ktu.edu offers/) });
    expect(await checkAuthority([{ ...claims[0]!, offeringId: null }], fixtureAuthority)).toMatchObject({ passed: false });
  });

  it('says the check was not run when the members cannot be asked', async () => {
    const claims = awardClaims(credential(FULL));
    expect(await checkAuthority(claims, undefined)).toMatchObject({ passed: false, reason: expect.stringMatching(/^not checked/) });
    const down: AuthoritySource = { lookup: () => Promise.reject(new Error('the member router did not answer')) };
    expect(await checkAuthority(claims, down)).toEqual({ passed: false, reason: 'not checked: the member router did not answer' });
  });

  it("checks a stacked credential's credit against its owner's authority, not an offering's", async () => {
    const stacked = (authority: 'FULL' | 'NONE', awardsCredit: boolean): StackedCredentialFacts => ({
      credentialId: 'urn:uuid:0c7c9a54-1d61-4b5e-9a34-6f4d1e2a7b10',
      issuedAt: new Date('2026-12-01T10:00:00Z'),
      validFrom: new Date('2026-12-01T10:00:00Z'),
      issuer: FULL.issuer,
      learner: FULL.learner,
      awardingBody: { ...FULL.awardingBody, accreditationAuthority: authority },
      awardsCredit,
      pathway: { id: '5d0e7f0a-5a8e-4c59-9d57-2f3f4b3c1a22', version: 1, name: 'Urban stack', description: null, eqfLevel: 7, ectsMin: 6, ectsMax: null },
      ectsCounted: 6,
      completedOn: '2026-11-30',
      parts: [{ id: FULL.achievement.id, source: 'ACHIEVEMENT', title: FULL.offering.title, member: { id: 'tuni.fi', name: 'Tampere University', country: 'FI' }, ects: 6, assessedOn: FULL.achievement.assessedOn, offeringId: FULL.offering.id, credentialId: null }],
      status: FULL.status,
    });
    const claims = awardClaims(buildStackedCredential(stacked('FULL', true)));
    expect(claims).toEqual([{ awardingBody: 'urn:eciu:member:tuni.fi', memberId: 'tuni.fi', offeringId: null, assessedOn: null, awardsCredit: true, pathwayId: '5d0e7f0a-5a8e-4c59-9d57-2f3f4b3c1a22' }]);
    const saying = (accreditationAuthority: 'FULL' | 'NONE'): AuthoritySource => ({ lookup: async () => null, lookupMember: async (id) => ({ id, name: 'Tampere University', accreditationAuthority }) });
    expect(await checkAuthority(claims, saying('FULL'))).toEqual({ passed: true, reason: "Tampere University may award the stack's credit (FULL)" });
    // Sealed with the alliance key or not: credit in the name of a member without the authority does not verify.
    expect(await checkAuthority(claims, saying('NONE'))).toMatchObject({ passed: false, reason: expect.stringContaining('does not let it approve credit on its own') });
    expect(await checkAuthority(claims, { lookup: async () => null })).toMatchObject({ passed: false, reason: expect.stringContaining('not checked') });
    // One that awards no credit of its own needs no authority.
    expect(await checkAuthority(awardClaims(buildStackedCredential(stacked('NONE', false))), saying('NONE'))).toMatchObject({ passed: true });
  });
});
