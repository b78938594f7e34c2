import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, readString, runMain } from '../lib/config.js';
import { isMemberId } from '../lib/ids.js';
import { createLogger, readLogOptions } from '../lib/log.js';
import { configuredDatabase, type DatabaseTarget, type SqlEntityManager } from '../lib/orm.js';
import { openMemberDatabase } from '../subgraphs/member/database.js';
import { createOeapiClient } from '../subgraphs/member/oeapi/client.js';
import { loadOeapiSpec } from '../subgraphs/member/oeapi/spec.js';
import { readSyncDefaultsFile, readSyncSettings, SYNC_VARIABLES } from '../subgraphs/member/sync/config.js';
import { syncFromOeapi, type SyncResult } from '../subgraphs/member/sync/engine.js';
import { formatSyncReport } from '../subgraphs/member/sync/report.js';
import { SyncBusyError, SyncSetupError } from '../subgraphs/member/sync/state.js';

const HELP = `Usage: npm run member:sync -- <member id> [--once] [--full] [--database <url>]

Pulls a member's offerings (with their learning outcomes), students,
enrolments and results from its own student information system through
OEAPI 6.0 into the member's database, every SYNC_INTERVAL_SECONDS, or once.
Each run reads what changed since the last complete run (the source's own
clock, minus an overlap); a full run reads everything and is the only one
that finds what the source deleted (offerings are withdrawn, learner records
kept). A run that stopped half-way is resumed by the next one. Records that
cannot be written (a required field missing, a rule of the member's broken)
are held back whole and listed. Design: subgraphs/member/sync/README.md.

  --once            one run, then exit (for cron or a one-off)
  --full            a full run (the first run, and one every
                    SYNC_FULL_INTERVAL_HOURS, are full anyway)
  --database <url>  sqlite:<file> or postgresql://… (default: $DATABASE_URL, else
                    sqlite:data/members/<member id>.sqlite, relative to the repository root)
  --help            show this text

Environment:
${SYNC_VARIABLES.map((variable) => `  ${variable.name.padEnd(27)} ${variable.description}${variable.fallback === '-' ? '' : variable.fallback.startsWith('(') ? ` ${variable.fallback}` : ` (default ${variable.fallback})`}`).join('\n')}

Progress goes to stderr, one line per page; the summary of each run to stdout.
Exit status (--once): 0 the run ended cleanly and nothing is held back, 1 records
are held back, the source failed, or another sync of the member is running,
2 usage or configuration error. Without --once it runs until SIGINT/SIGTERM
(the run in progress stops after its current page and is resumed next time).

Example: OEAPI_BASE_URL=http://127.0.0.1:4100 OEAPI_TOKEN=oeapi-fixture-token \\
  OEAPI_DEFAULTS_FILE=subgraphs/member/sync/example-defaults.json npm run member:sync -- utwente.nl --once
`;

/** Where the data goes, in words safe to print (no password). */
function describeTarget(target: DatabaseTarget): string {
  if (target.kind === 'sqlite') {
    const near = relative(process.cwd(), target.location);
    return `sqlite:${target.location === ':memory:' || near.startsWith('..') || near === '' ? target.location : near}`;
  }
  const url = new URL(target.location);
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/** Waits `ms`, or less when the signal fires. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((done) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      done();
    }, { once: true });
  });
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: { once: { type: 'boolean', default: false }, full: { type: 'boolean', default: false }, database: { type: 'string' }, help: { type: 'boolean', default: false } },
    allowPositionals: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  if (positionals.length !== 1) throw new ConfigError(`give the member id.\n\n${HELP}`);
  const memberId = positionals[0] as string;
  if (!isMemberId(memberId)) throw new ConfigError(`"${memberId}" is not a member id: use the member's web domain, e.g. utwente.nl.`);
  const env = process.env;
  const settings = readSyncSettings(env);
  // A relative defaults file means relative to where the command was typed.
  const defaults = readSyncDefaultsFile(resolve(process.cwd(), settings.defaultsFile));
  const target = configuredDatabase(values.database ?? readString(env, 'DATABASE_URL', `sqlite:data/members/${memberId}.sqlite`), values.database ? '--database' : 'DATABASE_URL');
  // Opening a SQLite file that is not there would create an empty database: a mistyped id or path must not.
  if (target.kind === 'sqlite' && target.location !== ':memory:' && !existsSync(target.location)) {
    throw new ConfigError(`no member database at ${target.location}: start the member (or npm start) once, or give --database.`);
  }
  let spec;
  try {
    spec = loadOeapiSpec(settings.specPath);
  } catch (error) {
    throw new ConfigError(`OEAPI_SPEC_PATH: ${(error as Error).message}`);
  }
  const source = new URL(settings.baseUrl).host;
  const logger = createLogger({ name: `sync ${memberId}`, ...readLogOptions(env) });
  const client = createOeapiClient({ baseUrl: settings.baseUrl, auth: settings.auth, pageSize: settings.pageSize, timeoutMs: settings.timeoutMs, retries: settings.retries, maxPages: settings.maxPages, modifiedField: settings.modifiedField, spec });
  const stop = new AbortController();
  const onSignal = (signal: string) => () => {
    logger.info(`${signal}: stopping after the current page`);
    stop.abort();
  };
  process.once('SIGINT', onSignal('SIGINT'));
  process.once('SIGTERM', onSignal('SIGTERM'));
  const orm = await openMemberDatabase(target, { migrate: false });
  try {
    // Migrations create tables: only in a database that already is a member's (a mistyped URL must stay untouched).
    if (!(await (orm.em as SqlEntityManager).getKnex().schema.hasTable('institution'))) {
      throw new ConfigError(`${describeTarget(target)} is not a member database (it has no member tables): check the member id, --database and DATABASE_URL.`);
    }
    await orm.getMigrator().up();
    logger.info(`syncing ${memberId} from ${source} (${settings.authDescription}) into ${describeTarget(target)}${values.once ? ', once' : `, every ${settings.intervalSeconds} s`}`);
    let full = values.full;
    for (;;) {
      let result: SyncResult | undefined;
      try {
        result = await syncFromOeapi({
          orm, databaseKind: target.kind, memberId, client, defaults, logger, full, signal: stop.signal,
          overlapSeconds: settings.overlapSeconds, fullIntervalHours: settings.fullIntervalHours, lockStaleSeconds: settings.lockStaleSeconds, batchSize: settings.pageSize,
        });
      } catch (error) {
        if (error instanceof SyncSetupError) throw new ConfigError(error.message);
        if (!(error instanceof SyncBusyError)) throw error;
        process.stderr.write(`Not started: ${error.message}\n`);
        if (values.once) {
          process.exitCode = 1;
          return;
        }
      }
      if (result) {
        process.stdout.write(`${formatSyncReport(result, { source, target: describeTarget(target) }).join('\n')}\n`);
        if (values.once) {
          process.exitCode = result.status === 'succeeded' && result.held.length === 0 ? 0 : 1;
          return;
        }
        // --full asks for one full run; the schedule decides after that.
        if (result.status === 'succeeded') full = false;
      }
      if (stop.signal.aborted) return;
      await pause(settings.intervalSeconds * 1000, stop.signal);
      if (stop.signal.aborted) return;
    }
  } finally {
    await client.close();
    await orm.close();
  }
}

runMain(main);
