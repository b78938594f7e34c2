import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, runMain } from '../lib/config.js';
import { quietLogger } from '../lib/log.js';
import { generateCatalogues, generateLearner, randomStream } from '../hub/demo.js';
import { startHub } from '../hub/stack.js';
import { catalogue, skillFacts } from '../subgraphs/passport/goals.js';
import { coveredWeight, plan, scoreOffering, type CatalogueOffering, type RecommendationInput, type ScoredOffering } from '../subgraphs/passport/recommend.js';

const HELP = `Usage: npm run bench:recommend -- [--cases <n>] [--seed <text>]

Measures the quality of the recommendation plan (docs/learner.md, "The plan"):
on generated cases over the demo catalogue of all 13 members and the real ESCO
hierarchy (a goal of 3 to 8 skills the catalogue teaches, a budget of 3 to 12
ECTS, no constraints), the weight of goal skills the plan covers against
  - the optimum, computed exactly (a dynamic programme over which goal skills
    are covered and how, keeping the least ECTS per state),
  - "popular": the most enrolled offerings that cover something, within the budget,
  - "title": offerings whose title shares a word with the goal skills' labels.
Prints the mean and the worst ratio to the optimum per method and the plan's
time per case. Deterministic for the same --seed. Asserts nothing.

  --cases <n>   cases to generate (default 300)
  --seed <text> seed of the case generator (default "bench-recommend")
`;

/**
 * The optimum, exactly: a dynamic programme over coverage states (each goal
 * skill uncovered, covered via the hierarchy, or covered exactly: 3^8 states
 * at most) keeping the least ECTS that reaches each state, offering by
 * offering (each used at most once); the best state within the budget wins.
 */
function optimum(useful: readonly ScoredOffering[], gap: readonly string[], budget: number): number {
  const index = new Map(gap.map((skill, i) => [skill, i]));
  const levels = (item: ScoredOffering) => {
    const level = gap.map(() => 0);
    for (const cover of item.covers) {
      const i = index.get(cover.skill);
      if (i !== undefined) level[i] = Math.max(level[i] as number, cover.weight === 1 ? 2 : 1);
    }
    return level;
  };
  const key = (level: readonly number[]) => level.join('');
  let cost = new Map<string, { level: number[]; ects: number }>([[key(gap.map(() => 0)), { level: gap.map(() => 0), ects: 0 }]]);
  for (const item of useful) {
    const own = levels(item);
    const next = new Map(cost);
    for (const { level, ects } of cost.values()) {
      const spent = ects + item.offering.ects;
      if (spent > budget + 1e-9) continue;
      const merged = level.map((value, i) => Math.max(value, own[i] as number));
      const seen = next.get(key(merged));
      if (!seen || spent < seen.ects) next.set(key(merged), { level: merged, ects: spent });
    }
    cost = next;
  }
  let best = 0;
  for (const { level } of cost.values()) best = Math.max(best, level.reduce((sum, value) => sum + (value === 2 ? 1 : value === 1 ? 0.5 : 0), 0));
  return best;
}

function within(ordered: readonly ScoredOffering[], budget: number): number {
  const chosen: ScoredOffering[] = [];
  let spent = 0;
  for (const item of ordered) {
    if (spent + item.offering.ects > budget) continue;
    chosen.push(item);
    spent += item.offering.ects;
  }
  return [...coveredWeight(chosen).values()].reduce((sum, value) => sum + value, 0);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { cases: { type: 'string', default: '300' }, seed: { type: 'string', default: 'bench-recommend' }, help: { type: 'boolean', default: false } } });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const cases = Number(values.cases);
  if (!Number.isInteger(cases) || cases < 1 || cases > 100_000) throw new ConfigError('--cases must be a whole number from 1 to 100000.');
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const dataDir = mkdtempSync(join(tmpdir(), 'hub-bench-recommend-'));
  try {
    // The hub gives the catalogue as the router serves it and ESCO's real hierarchy (the passport service's own readers).
    const hub = await startHub({ logger: quietLogger('bench'), dataDir, learners: 1_200 });
    try {
      const offerings: CatalogueOffering[] = await catalogue(hub.passportService);
      const facts = await skillFacts(hub.passportService, offerings.flatMap((offering) => offering.skills));
      // Popularity: enrolments per offering in the demo data.
      const catalogues = generateCatalogues();
      const enrolled = new Map<string, number>();
      for (let index = 0; index < 1_200; index++) {
        for (const account of generateLearner(index, catalogues).accounts) for (const enrolment of account.enrolments) enrolled.set(enrolment.opportunityId, (enrolled.get(enrolment.opportunityId) ?? 0) + 1);
      }
      const taught = [...new Set(offerings.flatMap((offering) => offering.skills))].sort();
      say(`${offerings.length} offerings, ${taught.length} skills taught, ${cases} cases, seed "${values.seed}"`);
      const random = randomStream(values.seed);
      const ratios = { plan: [] as number[], popular: [] as number[], title: [] as number[] };
      let skipped = 0;
      let planMs = 0;
      for (let n = 0; n < cases; n++) {
        const size = 3 + Math.floor(random() * 6);
        const gap = new Set<string>();
        while (gap.size < size) gap.add(taught[Math.floor(random() * taught.length)] as string);
        const budget = 3 + Math.floor(random() * 10);
        const input: RecommendationInput = {
          gap: [...gap].sort(),
          goalOfferings: [],
          held: new Set(),
          done: new Set(),
          sdgInterests: [],
          constraints: { languages: [], modes: [], ectsBudget: budget, startAfter: null, endBefore: null, memberIds: [] },
          groupsOf: (skill) => facts(skill).groups,
        };
        const scored = offerings.map((offering) => scoreOffering(offering, input)).filter((item) => item.covers.length > 0 && item.offering.ects <= budget);
        const best = optimum(scored, input.gap, budget);
        if (best === 0) {
          skipped += 1;
          continue;
        }
        const started = performance.now();
        const planned = plan(scored, input.gap, budget);
        planMs += performance.now() - started;
        ratios.plan.push([...coveredWeight(planned.offerings).values()].reduce((sum, value) => sum + value, 0) / best);
        ratios.popular.push(within([...scored].sort((a, b) => (enrolled.get(b.offering.id) ?? 0) - (enrolled.get(a.offering.id) ?? 0) || a.offering.id.localeCompare(b.offering.id)), budget) / best);
        const words = new Set(input.gap.flatMap((skill) => facts(skill).label.toLowerCase().split(/\W+/).filter((word) => word.length > 3)));
        const byTitle = scored.filter((item) => item.offering.title.toLowerCase().split(/\W+/).some((word) => words.has(word)));
        ratios.title.push(within(byTitle, budget) / best);
      }
      const measured = ratios.plan.length;
      say(`measured ${measured} cases (${skipped} where no offering within the budget covers anything are left out)`);
      for (const [name, list] of Object.entries(ratios)) {
        const mean = list.reduce((sum, value) => sum + value, 0) / Math.max(1, list.length);
        const worst = Math.min(...list);
        const below = list.filter((value) => value < 0.95).length;
        say(`${name.padEnd(8)} mean ${(mean * 100).toFixed(1)} % of optimal, worst ${(worst * 100).toFixed(1)} %, cases below 95 %: ${below}`);
      }
      say(`plan: ${(planMs / Math.max(1, measured)).toFixed(2)} ms per case`);
    } finally {
      await hub.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

runMain(main);
