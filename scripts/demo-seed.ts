import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, runMain } from '../lib/config.js';
import { REPO_ROOT } from '../lib/paths.js';
import { ALLIANCE_MEMBERS } from '../hub/alliance.js';
import { DEFAULT_DEMO_LEARNERS } from '../hub/demo.js';
import { ensureDemoData } from '../hub/stack.js';
import { openLearnersDatabase } from '../subgraphs/learners/database.js';
import { openMemberDatabase } from '../subgraphs/member/database.js';

const HELP = `Usage: npm run demo:seed -- [--learners <n>] [--data-dir <folder>]

(Re)seeds the embedded default's SQLite databases with the deterministic demo
data: the 13 members' catalogues and profiles, and <n> learners with accounts,
enrolments and assessed achievements at several members. Replaces what the
databases held. npm start then serves it.

  --learners <n>     number of learners (default ${DEFAULT_DEMO_LEARNERS}; e.g. 300000 for scale work)
  --data-dir <dir>   folder of the SQLite files (default data/)
  --help             show this text
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { learners: { type: 'string', default: String(DEFAULT_DEMO_LEARNERS) }, 'data-dir': { type: 'string', default: 'data' }, help: { type: 'boolean', default: false } },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const learners = Number(values.learners);
  if (!Number.isInteger(learners) || learners < 1 || learners > 5_000_000) throw new ConfigError('--learners must be an integer from 1 to 5000000.');
  const dataDir = resolve(REPO_ROOT, values['data-dir']);
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const started = performance.now();
  const members = await Promise.all(
    ALLIANCE_MEMBERS.map(async (profile) => ({ profile, orm: await openMemberDatabase({ kind: 'sqlite', location: join(dataDir, 'members', `${profile.id}.sqlite`) }) })),
  );
  const learnersOrm = await openLearnersDatabase({ kind: 'sqlite', location: join(dataDir, 'learners.sqlite') });
  try {
    await ensureDemoData({ dataDir, members, learners: learnersOrm }, { learners, force: true }, say);
  } finally {
    await Promise.all([...members.map(({ orm }) => orm.close()), learnersOrm.close()]);
  }
  const seconds = (performance.now() - started) / 1000;
  say(`Seeded ${learners} learners across ${members.length} members in ${seconds.toFixed(1)} s (${Math.round(learners / seconds)} learners/s) into ${dataDir}.`);
}

runMain(main);
