import { describe, expect, it } from 'vitest';
import { plan, recommend, scoreOffering, type CatalogueOffering, type RecommendationInput } from '../../subgraphs/passport/recommend.js';

/* The plan on instances where plain greedy by coverage per ECTS fails (docs/learner.md, "The plan"). */

const offering = (id: string, ects: number, skills: string[], extra: Partial<CatalogueOffering> = {}): CatalogueOffering => ({
  id, title: id, memberId: 'tuni.fi', kind: 'MICRO_MODULE', ects, eqfLevel: 6, mode: 'ONLINE', languages: ['en'], sdgs: [], startDate: '2027-02-01', endDate: '2027-04-30', skills, ...extra,
});
const input = (gap: string[], budget: number, groups: Record<string, string[]> = {}): RecommendationInput => ({
  gap, goalOfferings: [], held: new Set(), done: new Set(), sdgInterests: [],
  constraints: { languages: [], modes: [], ectsBudget: budget, startAfter: null, endBefore: null, memberIds: [] },
  groupsOf: (skill) => groups[skill] ?? [],
});

describe('the plan', () => {
  it('is not trapped by a cheap offering that blocks a big one (greedy by coverage per ECTS takes it first and covers 1 of 10)', () => {
    const gap = Array.from({ length: 10 }, (_, i) => `s${i}`);
    const cheap = offering('a-cheap', 0.5, ['s0']);
    const big = offering('b-big', 10, gap);
    const scored = [cheap, big].map((item) => scoreOffering(item, input(gap, 10)));
    const result = plan(scored, gap, 10);
    expect(result.offerings.map((item) => item.offering.id)).toEqual(['b-big']);
    expect(result).toMatchObject({ ects: 10, coverage: 1, uncovered: [] });
  });

  it('counts a skill covered via the ESCO hierarchy at half, once at its best', () => {
    const gap = ['goal'];
    const near = offering('near', 1, ['sibling']);
    const exact = offering('exact', 2, ['goal']);
    const groups = { goal: ['g1'], sibling: ['g1'] };
    const scored = [near, exact].map((item) => scoreOffering(item, input(gap, 3, groups)));
    expect(scored[0]?.covers).toEqual([{ skill: 'goal', how: 'SAME_GROUP', via: { group: 'g1', skill: 'sibling' }, weight: 0.5 }]);
    const result = plan(scored, gap, 3);
    expect(result.coverage).toBe(1);
    expect(result.offerings.map((item) => item.offering.id)).toContain('exact');
  });

  it('applies constraints as hard filters and says why nothing fits', () => {
    const gap = ['s1'];
    const result = recommend([offering('o1', 2, ['s1'], { mode: 'PRESENTIAL' }), offering('o2', 2, ['s1'], { languages: ['fi'] })], { ...input(gap, 10), constraints: { ...input(gap, 10).constraints, modes: ['ONLINE'], languages: ['en'] } }, 10);
    expect(result.ranked).toEqual([]);
    expect(result.notes[0]).toMatch(/^No offering fits the constraints: 1 fail on mode, 1 fail on language\.$/);
  });
});
