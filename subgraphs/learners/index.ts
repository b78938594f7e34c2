import { parseArgs } from 'node:util';
import { readBoolean, readInt, readPort, readString, runMain, stopOnSignals } from '../../lib/config.js';
import { createLogger } from '../../lib/log.js';
import { parseDatabaseUrl } from '../../lib/orm.js';
import { REPO_ROOT } from '../../lib/paths.js';
import { DEFAULT_DEMO_LEARNERS } from '../../hub/demo.js';
import { learnersAreSeeded, seedDemo } from '../../hub/seed.js';
import { openLearnersDatabase } from './database.js';
import { startLearnersServer } from './server.js';

const HELP = `Learners subgraph: the alliance learner register (pseudonymous alliance ids
linked to the learners' accounts at members).

Usage: [DATABASE_URL=…] [PORT=…] npm run learners

Environment:
  DATABASE_URL   postgresql://user@host:5432/db or sqlite:<file>   default sqlite:data/learners.sqlite
  PORT           port to listen on                                 default 4003
  HOST           address to bind                                   default 127.0.0.1
  SEED_DEMO      true: fill an empty register with the demo learners default false
  DEMO_LEARNERS  learners in the demo data                         default ${DEFAULT_DEMO_LEARNERS}
  LOG_FORMAT     text or json                                      default text
`;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { help: { type: 'boolean', default: false } } });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const env = process.env;
  const target = parseDatabaseUrl(readString(env, 'DATABASE_URL', 'sqlite:data/learners.sqlite'), REPO_ROOT);
  const logger = createLogger({ name: 'learners', format: env['LOG_FORMAT'] === 'json' ? 'json' : 'text' });
  const orm = await openLearnersDatabase(target);
  const learners = readInt(env, 'DEMO_LEARNERS', DEFAULT_DEMO_LEARNERS, { min: 1, max: 5_000_000 });
  if (readBoolean(env, 'SEED_DEMO', false) && !(await learnersAreSeeded(orm, { learners }))) {
    logger.info(`seeding ${learners} demo learners…`);
    await seedDemo({ members: new Map(), learners: orm }, { learners });
  }
  const server = await startLearnersServer({ orm, databaseKind: target.kind, logger, port: readPort(env, 'PORT', 4003), host: readString(env, 'HOST', '127.0.0.1') });
  logger.info(`serving ${server.url}`);
  stopOnSignals(async () => {
    await server.stop();
    await orm.close();
  }, logger.info);
}

runMain(main);
