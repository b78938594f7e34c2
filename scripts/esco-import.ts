import { isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, readString, runMain } from '../lib/config.js';
import { configuredDatabase } from '../lib/orm.js';
import { DEFAULT_ESCO_DATABASE_URL } from '../subgraphs/esco/config.js';
import { openEscoDatabase } from '../subgraphs/esco/database.js';
import { EscoImportError } from '../subgraphs/esco/import/csv.js';
import { ESCO_VERSION, importEsco, type ImportProgress } from '../subgraphs/esco/import/importer.js';

const HELP = `Usage: npm run esco:import -- <folder> [--database-url <url>] [--esco-version <version>]

Imports the official ESCO CSV export files (English) found in <folder> into the
ESCO subgraph's database: any of skills_en.csv, *SkillsCollection_en.csv,
skillGroups_en.csv, skillsHierarchy_en.csv, broaderRelationsSkillPillar_en.csv,
skillSkillRelations_en.csv, occupations_en.csv, occupationSkillRelations_en.csv.
Re-importing the same files changes nothing; a larger download adds to what
is there. Everything is written in one transaction.

  --database-url <url>      sqlite:<file> or postgresql://… (default: $DATABASE_URL,
                            else ${DEFAULT_ESCO_DATABASE_URL}, relative to the repository root)
  --esco-version <version>  the ESCO version of the files (default ${ESCO_VERSION})
  --help                    show this text

Example: npm run esco:import -- ../shared/esco
`;

function describe(progress: ImportProgress): string | undefined {
  if (progress.stage === 'read') return progress.done ? `read  ${progress.file.padEnd(40)} ${progress.rows.toLocaleString('en')} rows` : undefined;
  return `wrote ${progress.table.padEnd(40)} ${progress.rows.toLocaleString('en')} rows`;
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        'database-url': { type: 'string' },
        'esco-version': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      allowPositionals: true,
    });
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}\n\n${HELP}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  if (positionals.length !== 1) throw new ConfigError(`name exactly one folder of ESCO CSV files.\n\n${HELP}`);
  const version = values['esco-version'] ?? ESCO_VERSION;
  if (!/^[0-9A-Za-z.+-]{1,32}$/.test(version)) throw new ConfigError('--esco-version must be a short version string such as "1.2.0".');
  // A relative folder means relative to where the user typed the command.
  const folder = isAbsolute(positionals[0] as string) ? (positionals[0] as string) : resolve(process.cwd(), positionals[0] as string);
  const url = values['database-url'] ?? readString(process.env, 'DATABASE_URL', DEFAULT_ESCO_DATABASE_URL);
  const target = configuredDatabase(url, values['database-url'] ? '--database-url' : 'DATABASE_URL');

  const orm = await openEscoDatabase(target);
  try {
    const summary = await importEsco(orm, folder, {
      version,
      onProgress: (progress) => {
        const line = describe(progress);
        if (line) process.stdout.write(`${line}\n`);
      },
    });
    const line = (label: string, value: number) => `  ${`${label}:`.padEnd(28)} ${value.toLocaleString('en')}`;
    process.stdout.write(
      [
        `Imported ESCO ${summary.version} from ${summary.files.length} file(s) in ${summary.seconds.toFixed(1)} s.`,
        line('skills', summary.skills),
        line('skill groups', summary.skillGroups),
        line('occupations', summary.occupations),
        line('broader relations', summary.broaderRelations),
        line('skill–skill relations', summary.skillRelations),
        line('occupation–skill relations', summary.occupationSkillRelations),
        line('collection memberships', summary.collectionMemberships),
        ...(summary.skippedRows > 0 ? [line('skipped rows (no URI or label, unknown relation type)', summary.skippedRows)] : []),
        '',
      ].join('\n'),
    );
  } catch (error) {
    // Bad input (no ESCO files, missing column) is the user's to fix: one line, exit 2.
    if (error instanceof EscoImportError) throw new ConfigError(error.message);
    throw error;
  } finally {
    await orm.close();
  }
}

runMain(main);
