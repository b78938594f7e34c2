import { describe, expect, it } from 'vitest';
import { decideIssuance, MAY_APPROVE_MICRO_CREDENTIALS } from '../../subgraphs/issuance/accreditation.js';
import type { AccreditationAuthority } from '../../subgraphs/issuance/facts.js';

/* The accreditation rule, level by level (DOMAIN.md, the alliance's survey). */

const RECORD = { reference: 'NVAO-2025-017', body: 'NVAO', decidedOn: '2025-01-15', validUntil: '2031-01-15', url: null };

function facts(level: AccreditationAuthority, options: { creditBearing?: boolean; record?: typeof RECORD | null; passed?: boolean; assessedOn?: string } = {}) {
  return {
    awardingBody: { id: 'member.example', name: 'Member University', country: 'NL', homepage: null, accreditationAuthority: level },
    offering: { creditBearing: options.creditBearing ?? true, externalAccreditation: options.record ?? null } as never,
    achievement: { passed: options.passed ?? true, assessedOn: options.assessedOn ?? '2026-03-01' } as never,
  };
}

describe('which member may award a credit-bearing micro-credential', () => {
  it.each([
    ['FULL', true],
    ['SEMI_PREQUALIFIED', true],
    ['MICRO_CREDENTIALS_ONLY', true],
    ['SEMI_PROGRAMMES', false],
    ['NONE', false],
    ['NOT_ASSESSED', false],
  ] as const)('%s: on its own authority %s', (level, allowed) => {
    expect(MAY_APPROVE_MICRO_CREDENTIALS[level]).toBe(allowed);
    const decision = decideIssuance(facts(level), 'MICRO_CREDENTIAL');
    if (allowed) {
      expect(decision).toEqual({ allowed: true, basis: 'MEMBER_AUTHORITY' });
    } else {
      expect(decision.allowed).toBe(false);
      expect(!decision.allowed && decision.reason).toMatch(new RegExp(`accreditation authority ${level}.*no external accreditation record.*certificate of participation`));
      // With an external accreditation record valid on the assessment date, it may.
      expect(decideIssuance(facts(level, { record: RECORD }), 'MICRO_CREDENTIAL')).toEqual({ allowed: true, basis: 'EXTERNAL_ACCREDITATION' });
    }
  });

  it('does not accept a record that was not valid on the assessment date', () => {
    const before = decideIssuance(facts('NONE', { record: RECORD, assessedOn: '2024-12-01' }), 'MICRO_CREDENTIAL');
    expect(before.allowed).toBe(false);
    expect(!before.allowed && before.reason).toMatch(/NVAO-2025-017\) was not valid on the assessment date 2024-12-01/);
    const after = decideIssuance(facts('NONE', { record: { ...RECORD, validUntil: '2026-01-01' } }), 'MICRO_CREDENTIAL');
    expect(after.allowed).toBe(false);
  });

  it('needs no accreditation for a non-credit offering or a certificate of participation', () => {
    expect(decideIssuance(facts('NONE', { creditBearing: false }), 'MICRO_CREDENTIAL')).toEqual({ allowed: true, basis: 'NOT_CREDIT_BEARING' });
    expect(decideIssuance(facts('NONE'), 'PARTICIPATION')).toEqual({ allowed: true, basis: 'PARTICIPATION' });
  });

  it('certifies nothing that was not passed', () => {
    const decision = decideIssuance(facts('FULL', { passed: false }), 'PARTICIPATION');
    expect(decision.allowed).toBe(false);
    expect(!decision.allowed && decision.reason).toMatch(/not passed/);
  });
});
