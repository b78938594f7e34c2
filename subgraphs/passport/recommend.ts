/*
 * Recommendations (issue 12, point 3): pure, deterministic for the same data
 * and input. The gap is the goal's skills the passport does not count yet.
 *
 * Scoring an offering that passes every hard filter (constraints, not done):
 *   exact       1.0 per gap skill among its learning outcomes
 *   hierarchy   0.5 per gap skill it does not name but shares an ESCO group with
 *               (one of its outcome skills sits in the gap skill's group)
 *   buildsOn    0.1 per outcome skill the learner already has (at most 0.3)
 *   interest    0.1 per SDG of the learner's interests it is on (at most 0.2)
 *   goal        1.0 when a pathway goal names the offering itself
 * ties by fewer ECTS, then id. Only offerings covering something of the gap
 * (or named by the goal) are recommended.
 *
 * The plan is budgeted maximum coverage (a weighted set cover under the ECTS
 * budget): each gap skill weighs 1 when covered exactly, 0.5 via the
 * hierarchy, counted once at its best. Greedy by added weight per ECTS, run
 * from no seed, every single offering, every pair of the 30 best-ranked and
 * every triple of the 12 best-ranked as a seed (partial enumeration), then a
 * local search (drop one offering, refill greedily, while it gains),
 * keeping the best plan: Khuller, Moss & Naor (1999) show that greedy with
 * enumeration of every seed of size 3 reaches (1 - 1/e) of the optimum for
 * budgeted coverage; enumerating pairs and triples over the best-ranked only
 * keeps the work bounded (about 650 greedy runs) and loses that guarantee, so
 * the result is measured against the exact optimum (npm run bench:recommend).
 */

export interface CatalogueOffering {
  id: string;
  title: string;
  memberId: string;
  kind: string;
  ects: number;
  eqfLevel: number;
  mode: string;
  languages: string[];
  sdgs: number[];
  startDate: string | null;
  endDate: string | null;
  skills: string[];
}

export interface Constraints {
  languages: string[];
  modes: string[];
  ectsBudget: number | null;
  startAfter: string | null;
  endBefore: string | null;
  memberIds: string[];
}

export interface RecommendationInput {
  gap: string[];
  /** Offerings the goal names (a pathway's open ALL_OF / ANY_OF requirements). */
  goalOfferings: string[];
  held: ReadonlySet<string>;
  done: ReadonlySet<string>;
  sdgInterests: number[];
  constraints: Constraints;
  /** ESCO groups each skill sits in directly. */
  groupsOf: (skill: string) => readonly string[];
}

export interface Coverage {
  skill: string;
  how: 'EXACT' | 'SAME_GROUP';
  /** For SAME_GROUP: the shared group and the offering's skill in it. */
  via: { group: string; skill: string } | null;
  weight: number;
}

export interface ScoredOffering {
  offering: CatalogueOffering;
  score: number;
  components: { exact: number; hierarchy: number; buildsOn: number; interest: number; goal: number };
  covers: Coverage[];
  buildsOn: string[];
}

export interface Plan {
  offerings: ScoredOffering[];
  ects: number;
  covered: string[];
  uncovered: string[];
  /** Covered weight over the gap's weight if every gap skill were covered exactly. */
  coverage: number;
}

export interface Recommendations {
  ranked: ScoredOffering[];
  plan: Plan;
  /** Why nothing (or less) could be recommended, in words; empty when all is well. */
  notes: string[];
  /** Offerings considered after the hard filters. */
  considered: number;
}

const round = (value: number) => Math.round(value * 1000) / 1000;

/** Why an offering fails the hard filters, or null. */
function filteredOut(offering: CatalogueOffering, constraints: Constraints): string | null {
  if (constraints.languages.length > 0 && !offering.languages.some((language) => constraints.languages.includes(language))) return 'language';
  if (constraints.modes.length > 0 && !constraints.modes.includes(offering.mode)) return 'mode';
  if (constraints.memberIds.length > 0 && !constraints.memberIds.includes(offering.memberId)) return 'member';
  if (constraints.startAfter && (!offering.startDate || offering.startDate < constraints.startAfter)) return 'start date';
  if (constraints.endBefore && (!offering.endDate || offering.endDate > constraints.endBefore)) return 'end date';
  if (constraints.ectsBudget !== null && offering.ects > constraints.ectsBudget) return 'ECTS budget';
  return null;
}

export function scoreOffering(offering: CatalogueOffering, input: RecommendationInput): ScoredOffering {
  const own = new Set(offering.skills);
  const ownGroups = new Map<string, string>();
  for (const skill of offering.skills) for (const group of input.groupsOf(skill)) if (!ownGroups.has(group)) ownGroups.set(group, skill);
  const covers: Coverage[] = [];
  for (const skill of input.gap) {
    if (own.has(skill)) {
      covers.push({ skill, how: 'EXACT', via: null, weight: 1 });
      continue;
    }
    const group = input.groupsOf(skill).find((candidate) => ownGroups.has(candidate));
    if (group) covers.push({ skill, how: 'SAME_GROUP', via: { group, skill: ownGroups.get(group) as string }, weight: 0.5 });
  }
  const buildsOn = offering.skills.filter((skill) => input.held.has(skill)).sort();
  const components = {
    exact: covers.filter((cover) => cover.how === 'EXACT').length,
    hierarchy: round(covers.filter((cover) => cover.how === 'SAME_GROUP').length * 0.5),
    buildsOn: round(Math.min(0.3, buildsOn.length * 0.1)),
    interest: round(Math.min(0.2, offering.sdgs.filter((sdg) => input.sdgInterests.includes(sdg)).length * 0.1)),
    goal: input.goalOfferings.includes(offering.id) ? 1 : 0,
  };
  return { offering, score: round(components.exact + components.hierarchy + components.buildsOn + components.interest + components.goal), components, covers, buildsOn };
}

const byRank = (a: ScoredOffering, b: ScoredOffering) => b.score - a.score || a.offering.ects - b.offering.ects || a.offering.id.localeCompare(b.offering.id);

/** The weight a set of offerings covers: each gap skill once, at its best. */
export function coveredWeight(items: readonly ScoredOffering[]): Map<string, number> {
  const best = new Map<string, number>();
  for (const item of items) for (const cover of item.covers) best.set(cover.skill, Math.max(best.get(cover.skill) ?? 0, cover.weight));
  return best;
}

const total = (weights: Map<string, number>) => [...weights.values()].reduce((sum, value) => sum + value, 0);

function greedyFrom(seed: readonly ScoredOffering[], candidates: readonly ScoredOffering[], budget: number): ScoredOffering[] {
  const chosen = [...seed];
  let spent = chosen.reduce((sum, item) => sum + item.offering.ects, 0);
  if (spent > budget) return [];
  const have = coveredWeight(chosen);
  for (;;) {
    let best: { item: ScoredOffering; ratio: number } | null = null;
    for (const item of candidates) {
      if (chosen.includes(item) || spent + item.offering.ects > budget) continue;
      // What it adds: each skill it covers better than the plan so far.
      let gain = 0;
      for (const cover of item.covers) gain += Math.max(0, cover.weight - (have.get(cover.skill) ?? 0));
      if (gain <= 0) continue;
      const ratio = gain / Math.max(item.offering.ects, 0.1);
      if (!best || ratio > best.ratio + 1e-12 || (Math.abs(ratio - best.ratio) <= 1e-12 && byRank(item, best.item) < 0)) best = { item, ratio };
    }
    if (!best) return chosen;
    chosen.push(best.item);
    spent += best.item.offering.ects;
    for (const cover of best.item.covers) have.set(cover.skill, Math.max(have.get(cover.skill) ?? 0, cover.weight));
  }
}

/** Pairs are enumerated as seeds among this many of the best-ranked useful offerings (singles among all)... */
export const PAIR_SEEDS = 30;
/** ...and triples among this many (Khuller, Moss & Naor's seeds of size 3, over the best-ranked only). */
export const TRIPLE_SEEDS = 12;

/** Budgeted coverage: greedy from every seed of one or two offerings, the best plan kept (fewer ECTS, then ids, on ties). */
export function plan(candidates: readonly ScoredOffering[], gap: readonly string[], budget: number): Plan {
  const useful = candidates.filter((item) => item.covers.length > 0 && item.offering.ects <= budget);
  const seeds: ScoredOffering[][] = [[], ...useful.map((item) => [item])];
  const top = [...useful].sort(byRank).slice(0, PAIR_SEEDS);
  for (let i = 0; i < top.length; i++) for (let j = i + 1; j < top.length; j++) seeds.push([top[i] as ScoredOffering, top[j] as ScoredOffering]);
  const few = top.slice(0, TRIPLE_SEEDS);
  for (let i = 0; i < few.length; i++) {
    for (let j = i + 1; j < few.length; j++) for (let k = j + 1; k < few.length; k++) seeds.push([few[i], few[j], few[k]] as ScoredOffering[]);
  }
  let best: { items: ScoredOffering[]; weight: number; ects: number; key: string } | null = null;
  for (const seed of seeds) {
    const items = greedyFrom(seed, useful, budget);
    const weight = round(total(coveredWeight(items)));
    const ects = items.reduce((sum, item) => sum + item.offering.ects, 0);
    const key = items.map((item) => item.offering.id).sort().join(',');
    if (!best || weight > best.weight || (weight === best.weight && (ects < best.ects || (ects === best.ects && key < best.key)))) best = { items, weight, ects, key };
  }
  // Local search: drop one offering of the plan and let greedy refill the budget, while that gains.
  for (let improved = true, rounds = 0; improved && best && rounds < 20; rounds++) {
    improved = false;
    for (const dropped of best.items) {
      const items = greedyFrom(best.items.filter((item) => item !== dropped), useful.filter((item) => item !== dropped), budget);
      const weight = round(total(coveredWeight(items)));
      const ects = items.reduce((sum, item) => sum + item.offering.ects, 0);
      if (weight > best.weight || (weight === best.weight && ects < best.ects)) {
        best = { items, weight, ects, key: items.map((item) => item.offering.id).sort().join(',') };
        improved = true;
        break;
      }
    }
  }
  const items = [...(best?.items ?? [])].sort(byRank);
  const covered = coveredWeight(items);
  return {
    offerings: items,
    ects: round(items.reduce((sum, item) => sum + item.offering.ects, 0)),
    covered: gap.filter((skill) => covered.has(skill)),
    uncovered: gap.filter((skill) => !covered.has(skill)),
    coverage: gap.length > 0 ? round(total(covered) / gap.length) : 1,
  };
}

/** The ranked list and the plan. A budget of null plans within 30 ECTS (a semester's worth). */
export function recommend(catalogue: readonly CatalogueOffering[], input: RecommendationInput, first: number): Recommendations {
  const notes: string[] = [];
  const filtered = catalogue.filter((offering) => !input.done.has(offering.id));
  const passing = filtered.filter((offering) => filteredOut(offering, input.constraints) === null);
  if (passing.length === 0 && filtered.length > 0) {
    const reasons = new Map<string, number>();
    for (const offering of filtered) {
      const reason = filteredOut(offering, input.constraints) as string;
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
    notes.push(`No offering fits the constraints: ${[...reasons.entries()].sort((a, b) => b[1] - a[1]).map(([reason, count]) => `${count} fail on ${reason}`).join(', ')}.`);
  }
  if (input.gap.length === 0 && input.goalOfferings.length === 0) notes.push('The passport already counts every skill of the goal: there is no gap to close.');
  const scored = passing.map((offering) => scoreOffering(offering, input)).filter((item) => item.covers.length > 0 || item.components.goal > 0);
  const ranked = [...scored].sort(byRank);
  const budget = input.constraints.ectsBudget ?? 30;
  const result = plan(scored, input.gap, budget);
  if (input.gap.length > 0 && result.uncovered.length > 0) notes.push(`${result.uncovered.length} of ${input.gap.length} goal skills stay uncovered within ${budget} ECTS and the constraints.`);
  return { ranked: ranked.slice(0, first), plan: result, notes, considered: passing.length };
}
