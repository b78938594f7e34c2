import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, readString, runMain } from '../lib/config.js';
import { isMemberId } from '../lib/ids.js';
import { configuredDatabase, type DatabaseTarget, type SqlEntityManager } from '../lib/orm.js';
import { openMemberDatabase } from '../subgraphs/member/database.js';
import { findImportFiles, ImportSetupError } from '../subgraphs/member/import/files.js';
import { importMemberFiles } from '../subgraphs/member/import/importer.js';
import { formatImportReport } from '../subgraphs/member/import/report.js';

const HELP = `Usage: npm run member:import -- <member id> <folder> [--dry-run] [--database <url>]

Imports a member's offerings, learning outcomes, learner accounts, enrolments
and assessed results from files in <folder>, for members without an API of
their own. The files are found by name: offerings, learning-outcomes,
learner-accounts, enrolments and results, each .csv (with a header row) or
.jsonl (one JSON object per line, the same field names). Templates and field
tables: docs/import-templates/README.md.

Ids in the files are the member's local ids; rows are inserted or updated by
them, so running the same files again changes nothing. A file with any
refused row writes nothing (its errors are listed as <file>:<line> field
"<name>": <reason>), files that depend on it are skipped, the others import.

  --database <url>  sqlite:<file> or postgresql://… (default: $DATABASE_URL, else
                    sqlite:data/members/<member id>.sqlite, relative to the repository root)
  --dry-run         check every file against the database and report what would
                    change, writing nothing
  --help            show this text

Exit status: 0 every file imported (or, with --dry-run, would), 1 some file
was rejected or skipped, 2 usage error.

Example: npm run member:import -- tuni.fi docs/import-templates/example --dry-run
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

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: { database: { type: 'string' }, 'dry-run': { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
    allowPositionals: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  if (positionals.length !== 2) throw new ConfigError(`give the member id and the folder of files.\n\n${HELP}`);
  const [memberId, folderArgument] = positionals as [string, string];
  if (!isMemberId(memberId)) throw new ConfigError(`"${memberId}" is not a member id: use the member's web domain, e.g. tuni.fi.`);
  // A relative folder means relative to where the command was typed.
  const folder = isAbsolute(folderArgument) ? folderArgument : resolve(process.cwd(), folderArgument);
  // The folder first: a folder without import files needs no database to say so.
  try {
    findImportFiles(folder);
  } catch (error) {
    if (error instanceof ImportSetupError) throw new ConfigError(error.message);
    throw error;
  }
  const source = values.database ? '--database' : 'DATABASE_URL';
  const target = configuredDatabase(values.database ?? readString(process.env, 'DATABASE_URL', `sqlite:data/members/${memberId}.sqlite`), source);
  // Opening a SQLite file that is not there would create an empty database: a mistyped id or path must not.
  if (target.kind === 'sqlite' && target.location !== ':memory:' && !existsSync(target.location)) {
    throw new ConfigError(`no member database at ${target.location}: start the member (or npm start) once, or give --database.`);
  }
  const say = (line: string) => process.stdout.write(`${line}\n`);
  // Migrations create tables: only in a database that already is a member's (a mistyped URL must stay untouched).
  const orm = await openMemberDatabase(target, { migrate: false });
  try {
    if (!(await (orm.em as SqlEntityManager).getKnex().schema.hasTable('institution'))) {
      throw new ConfigError(`${describeTarget(target)} is not a member database (it has no member tables): check the member id, --database and DATABASE_URL.`);
    }
    await orm.getMigrator().up();
    const report = await importMemberFiles(orm, {
      memberId,
      folder,
      dryRun: values['dry-run'],
      onProgress: ({ file, rows, seconds }) => process.stderr.write(`${file}: ${rows.toLocaleString('en')} rows read (${Math.round(rows / Math.max(seconds, 0.001)).toLocaleString('en')} rows/s)\n`),
    });
    for (const line of formatImportReport(report, describeTarget(target))) say(line);
    if (!report.ok) process.exitCode = 1;
  } catch (error) {
    // Nothing to import, or the wrong database: the person running it fixes the command (exit 2).
    if (error instanceof ImportSetupError) throw new ConfigError(error.message);
    throw error;
  } finally {
    await orm.close();
  }
}

runMain(main);
