import { ConfigError, readBoolean, readInt, type Env } from '../lib/config.js';
import type { LearnersServiceHooks } from '../subgraphs/learners/service.js';
import type { MemberServiceHooks } from '../subgraphs/member/service.js';
import { memberProfile } from './alliance.js';
import { DEFAULT_DEMO_LEARNERS } from './demo.js';
import { learnersAreSeeded, memberIsSeeded, seedDemo } from './seed.js';

/*
 * Demo seeding for the member and learners services when they run on their
 * own (docker-compose.yml's demo deployment): the hub injects it through the
 * services' hooks, so the subgraphs' own entry points never carry demo code.
 */

const DEMO_HELP = `
Demo data (this entry point only; \`npm run member\` / \`npm run learners\` have none):
  SEED_DEMO      true: fill an empty database with the alliance demo data   default false
  DEMO_LEARNERS  learners in the demo data (the same for every service)      default ${DEFAULT_DEMO_LEARNERS}
`;

function demoLearners(env: Env): number {
  return readInt(env, 'DEMO_LEARNERS', DEFAULT_DEMO_LEARNERS, { min: 1, max: 5_000_000 });
}

export const memberDemoHooks: MemberServiceHooks = {
  help: DEMO_HELP,
  async prepare({ env, logger, orm, memberId }) {
    if (!readBoolean(env, 'SEED_DEMO', false) || (await memberIsSeeded(orm, memberId))) return;
    const profile = memberProfile(memberId);
    if (!profile) throw new ConfigError(`SEED_DEMO: there is no demo data for "${memberId}" (only for the 13 alliance members).`);
    const learners = demoLearners(env);
    logger.info(`seeding demo data (${learners} learners)…`);
    await seedDemo({ members: new Map([[memberId, { orm, profile }]]) }, { learners });
  },
};

/** DEMO_MEMBERS: the member ids a partial deployment runs, checked against the alliance. */
function demoMembers(env: Env): Set<string> | undefined {
  const raw = env['DEMO_MEMBERS']?.trim();
  if (!raw) return undefined;
  const ids = raw.split(',').map((id) => id.trim()).filter(Boolean);
  const unknown = ids.filter((id) => !memberProfile(id));
  if (unknown.length > 0) throw new ConfigError(`DEMO_MEMBERS names members without demo data: ${unknown.join(', ')}.`);
  return new Set(ids);
}

export const learnersDemoHooks: LearnersServiceHooks = {
  help: `${DEMO_HELP}  DEMO_MEMBERS   comma-separated member ids whose accounts the demo register
                 links (a deployment running only some members)            default all 13
`,
  async prepare({ env, logger, orm }) {
    const members = demoMembers(env);
    if (!readBoolean(env, 'SEED_DEMO', false)) return;
    const learners = demoLearners(env);
    if (await learnersAreSeeded(orm, { learners })) return;
    logger.info(`seeding ${learners} demo learners…`);
    await seedDemo({ members: new Map(), learners: orm, ...(members ? { learnerMembers: members } : {}) }, { learners });
  },
};
