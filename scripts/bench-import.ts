import { once } from 'node:events';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { memberProfile } from '../hub/alliance.js';
import { DEMO_SKILLS } from '../hub/catalogue.js';
import { ConfigError, runMain } from '../lib/config.js';
import { configuredDatabase, type DatabaseTarget } from '../lib/orm.js';
import { openMemberDatabase } from '../subgraphs/member/database.js';
import { ACCOUNT_COLUMNS } from '../subgraphs/member/import/accounts.js';
import { ENROLMENT_COLUMNS } from '../subgraphs/member/import/enrolments.js';
import { importMemberFiles, type ImportReport } from '../subgraphs/member/import/importer.js';
import { OFFERING_COLUMNS } from '../subgraphs/member/import/offerings.js';
import { OUTCOME_COLUMNS } from '../subgraphs/member/import/outcomes.js';
import { formatImportReport } from '../subgraphs/member/import/report.js';
import { RESULT_COLUMNS } from '../subgraphs/member/import/results.js';
import { Institution } from '../subgraphs/member/model.js';

const HELP = `Usage: npm run bench:import -- [--rows <n>] [--database <url>] [--again] [--keep]

Generates, in a temporary folder, an import set for tuni.fi whose results file
has <n> rows (default 500000): 20 offerings with 3 learning outcomes each,
<n>/4 learner accounts, <n> enrolments and <n> results with their skills.
Imports it into a fresh temporary SQLite database (or the empty member
database --database names) and prints rows/s per file and the peak RSS of
the process during the import (process.memoryUsage().rss, sampled every 50 ms)
with the peak V8 heap in use.

  --rows <n>        rows of results.csv and enrolments.csv (default 500000)
  --database <url>  an empty member database to use instead (e.g. postgresql://…)
  --again           import the same files a second time (every row unchanged)
  --keep            keep the generated folder and database
  --help            show this text
`;

const MEMBER = 'tuni.fi';
const OFFERINGS = 20;
const SKILLS = Object.values(DEMO_SKILLS);
const LEVELS = ['FOUNDATION', 'INTERMEDIATE', 'ADVANCED'] as const;

const pad = (value: number, width: number) => String(value).padStart(width, '0');
const offeringId = (index: number) => `bm-${pad(index + 1, 3)}`;
const skillOf = (offering: number, position: number) => SKILLS[(offering * 3 + position) % SKILLS.length] as string;

/** Writes a file line by line with back-pressure, so that generating 500,000 rows holds one chunk at a time. */
async function writeCsv(path: string, header: readonly { name: string }[], rows: number, line: (index: number) => string): Promise<void> {
  const out = createWriteStream(path);
  out.write(`${header.map((column) => column.name).join(',')}\n`);
  let chunk: string[] = [];
  for (let index = 0; index < rows; index += 1) {
    chunk.push(line(index));
    if (chunk.length === 5_000 || index === rows - 1) {
      if (!out.write(`${chunk.join('\n')}\n`)) await once(out, 'drain');
      chunk = [];
    }
  }
  out.end();
  await once(out, 'finish');
}

async function generate(folder: string, rows: number): Promise<void> {
  const accounts = Math.ceil(rows / 4);
  await writeCsv(join(folder, 'offerings.csv'), OFFERING_COLUMNS, OFFERINGS, (index) =>
    [offeringId(index), '', `Benchmark module ${index + 1}`, 'A generated micro-module.', 'MICRO_MODULE', 'OUTSIDE_LEARNING_PATH', '2', '54', '6', '0731', 'PROJECT_WORK', 'ONLINE', 'FORMAL', 'Internal QA under FINEEC.', '', 'SUPERVISED_WITH_ID_CHECK', 'STAND_ALONE', '', '11', 'en', '2026-03-16', '2026-04-24', '2026-03-02', '', 'true', '', '', '', '', '', ''].join(','),
  );
  await writeCsv(join(folder, 'learning-outcomes.csv'), OUTCOME_COLUMNS, OFFERINGS * 3, (index) =>
    [offeringId(Math.floor(index / 3)), String((index % 3) + 1), `Outcome ${(index % 3) + 1} of the module.`, skillOf(Math.floor(index / 3), index % 3), 'INTERMEDIATE'].join(','),
  );
  await writeCsv(join(folder, 'learner-accounts.csv'), ACCOUNT_COLUMNS, accounts, (index) =>
    [`acc-${pad(index, 7)}`, 'Bench', `Learner ${index}`, `learner.${index}@example.org`, `TAU${pad(index, 7)}`, '', '', '2026-01-15T09:00:00Z'].join(','),
  );
  // Account k takes offerings 4k … 4k+3 (mod 20): four different offerings each.
  await writeCsv(join(folder, 'enrolments.csv'), ENROLMENT_COLUMNS, rows, (index) =>
    [`enr-${pad(index, 7)}`, `acc-${pad(Math.floor(index / 4), 7)}`, offeringId(index % OFFERINGS), 'COMPLETED', '2026-02-20T10:00:00Z', '2026-05-04T12:00:00Z', 'en', 'true', '', ''].join(','),
  );
  await writeCsv(join(folder, 'results.csv'), RESULT_COLUMNS, rows, (index) => {
    const passed = index % 9 !== 0;
    const offering = index % OFFERINGS;
    const skills = passed ? [0, 1, 2].map((position) => `${skillOf(offering, position)}@${LEVELS[(index + position) % LEVELS.length]}`).join(';') : '';
    return [`res-${pad(index, 7)}`, `enr-${pad(index, 7)}`, '', '', '2026-05-04', String(passed), passed ? String(1 + (index % 5)) : '0', 'fi-0-5', '', 'SUPERVISED_WITH_ID_CHECK', skills].join(',');
  });
}

function mebibytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}

function printRates(report: ImportReport): void {
  for (const file of report.files) {
    process.stdout.write(`  ${file.file.padEnd(22)} ${file.read.toLocaleString('en').padStart(9)} rows  ${file.seconds.toFixed(1).padStart(6)} s  ${Math.round(file.read / Math.max(file.seconds, 0.001)).toLocaleString('en').padStart(8)} rows/s\n`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { rows: { type: 'string', default: '500000' }, database: { type: 'string' }, again: { type: 'boolean', default: false }, keep: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const rows = Number(values.rows);
  if (!Number.isInteger(rows) || rows < 1 || rows > 10_000_000) throw new ConfigError('--rows must be a whole number from 1 to 10000000.');
  const folder = mkdtempSync(join(tmpdir(), 'bench-import-'));
  const target: DatabaseTarget = values.database ? configuredDatabase(values.database, '--database') : { kind: 'sqlite', location: join(folder, 'member.sqlite') };
  const say = (line: string) => process.stdout.write(`${line}\n`);
  try {
    let started = performance.now();
    await generate(folder, rows);
    say(`Generated ${rows.toLocaleString('en')} results and enrolments, ${Math.ceil(rows / 4).toLocaleString('en')} accounts in ${((performance.now() - started) / 1000).toFixed(1)} s (${folder}).`);
    const orm = await openMemberDatabase(target);
    try {
      const profile = memberProfile(MEMBER);
      if (!profile) throw new Error(`no profile for ${MEMBER}`);
      const { id, name, shortName, country, associate, accreditationAuthority, qaBody, qaArrangement, website } = profile;
      if ((await orm.em.fork().count(Institution, {})) > 0) throw new ConfigError('--database must name an empty member database.');
      await orm.em.fork().insert(Institution, { id, name, shortName, country, associate, accreditationAuthority, qaBody, qaArrangement, website });
      const runs = values.again ? ['first run', 'second run (same files)'] : ['import'];
      for (const label of runs) {
        const baseline = process.memoryUsage().rss;
        let peak = baseline;
        let peakHeap = 0;
        // RSS includes what V8 keeps reserved after collecting; heapUsed (garbage included) shows what the import itself holds.
        const sample = () => {
          const usage = process.memoryUsage();
          peak = Math.max(peak, usage.rss);
          peakHeap = Math.max(peakHeap, usage.heapUsed);
        };
        const sampler = setInterval(sample, 50);
        started = performance.now();
        const report = await importMemberFiles(orm, {
          memberId: MEMBER,
          folder,
          onProgress: ({ file, rows: done, seconds }) => process.stderr.write(`${file}: ${done.toLocaleString('en')} rows (${Math.round(done / seconds).toLocaleString('en')} rows/s, RSS ${mebibytes(process.memoryUsage().rss)})\n`),
        });
        clearInterval(sampler);
        sample();
        const seconds = (performance.now() - started) / 1000;
        if (!report.ok) {
          for (const line of formatImportReport(report, target.kind)) say(line);
          throw new Error('the generated files did not import');
        }
        say(`${label} into ${target.kind}: ${seconds.toFixed(1)} s; peak RSS ${mebibytes(peak)} (${mebibytes(baseline)} before the import), peak V8 heap used ${mebibytes(peakHeap)}`);
        printRates(report);
      }
    } finally {
      await orm.close(true);
    }
  } finally {
    if (values.keep) say(`Kept ${folder}.`);
    else rmSync(folder, { recursive: true, force: true });
  }
}

runMain(main);
