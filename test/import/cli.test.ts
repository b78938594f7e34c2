import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlEntityManager } from '../../lib/orm.js';
import { REPO_ROOT } from '../../lib/paths.js';
import { openMemberDatabase } from '../../subgraphs/member/database.js';
import { EXAMPLE_DIR, exampleFiles, folderWith, memberDatabase, snapshot, type MemberDatabase } from './helpers.js';

/*
 * npm run member:import as a member's staff runs it: a child process, its
 * summary on stdout, and exit status 0 (imported), 1 (rows refused) or 2
 * (the command line is wrong).
 */

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts', 'member-import.ts'), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, APOLLO_TELEMETRY_DISABLED: '1', DATABASE_URL: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('npm run member:import on SQLite', () => {
  let db: MemberDatabase;
  let database: string;
  beforeAll(async () => {
    db = await memberDatabase('sqlite');
    database = `sqlite:${db.target.location}`;
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('imports the example set, prints a summary per file and exits 0', async () => {
    const result = await cli(['tuni.fi', EXAMPLE_DIR, '--database', database]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^Import into tuni\.fi \(sqlite:.*test\.sqlite\), \d+\.\d s\.$/);
    expect(lines.slice(1, 7)).toEqual([
      'file                   status    read  inserted  updated  unchanged  rejected',
      'offerings.csv          imported     2         2        0          0         0',
      'learning-outcomes.csv  imported     5         5        0          0         0',
      'learner-accounts.csv   imported     3         3        0          0         0',
      'enrolments.csv         imported     4         4        0          0         0',
      'results.csv            imported     2         2        0          0         0',
    ]);
    expect(lines[7]).toBe('Every file imported.');
  });

  it('finds everything unchanged on a second run', async () => {
    const result = await cli(['tuni.fi', EXAMPLE_DIR, '--database', database]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('results.csv            imported     2         0        0          2         0');
  });

  it('lists a bad file\'s errors by line and field, writes nothing from it and exits 1', async () => {
    const files = exampleFiles();
    files['results.csv'] = `${files['results.csv']}ex-res-3,ex-enr-3,,,2026-05-04,true,9,fi-0-5,,,\nex-res-4,ex-enr-404,,,2026-05-04,false,=1+1,fi-0-5,,,\n`;
    const before = await snapshot(db.orm);
    const result = await cli(['tuni.fi', folderWith({ ...files, 'enrollments.csv': 'x' }), '--database', database]);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('results.csv            rejected     4         0        0          0         2');
    expect(result.stdout).toContain(
      [
        'results.csv: rejected (2 rows with errors); nothing from this file was written.',
        '  results.csv:4 field "enrolmentId": the enrolment is NOT_ADMITTED; a result belongs to a COMPLETED enrolment',
        '  results.csv:4 field "grade": "9" is not a grade of scheme fi-0-5 (5, 4, 3, 2, 1, 0)',
        '  results.csv:5 field "grade": starts with "=", so a spreadsheet opening an export of it would run it as a formula (CSV injection): remove the leading character or reword the text',
        'Ignored (not an import file name): enrollments.csv (did you mean enrolments.csv?)',
      ].join('\n'),
    );
    expect(await snapshot(db.orm)).toEqual(before);
  });

  it('changes nothing with --dry-run', async () => {
    const files = exampleFiles();
    files['offerings.csv'] = (files['offerings.csv'] as string).replace('Urban data for sustainable cities', 'Urban data revised');
    const before = await snapshot(db.orm);
    const result = await cli(['tuni.fi', folderWith(files), '--dry-run', '--database', database]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Dry run for tuni\.fi \(.*\), \d+\.\d s: nothing was written\.\n/);
    expect(result.stdout).toContain('offerings.csv          would import     2         0        1          1         0');
    expect(await snapshot(db.orm)).toEqual(before);
  });

  it.each([
    [[], /^Configuration error: give the member id and the folder of files\./],
    [['Tuni', EXAMPLE_DIR], /^Configuration error: "Tuni" is not a member id: use the member's web domain, e.g\. tuni\.fi\.\n$/],
    [['tuni.fi', EXAMPLE_DIR, '--bogus'], /^Usage error: Unknown option '--bogus'\..* Use --help to see the options\.\n$/],
    [['tuni.fi', EXAMPLE_DIR, '--database', 'sqlite:/nonexistent/member.sqlite'], /^Configuration error: no member database at \/nonexistent\/member\.sqlite: start the member \(or npm start\) once, or give --database\.\n$/],
    [['tuni.fi', REPO_ROOT], /^Configuration error: .* holds no import file\. Known names: offerings\.csv, learning-outcomes\.csv, learner-accounts\.csv, enrolments\.csv, results\.csv \(or \.jsonl\)\.\n$/],
  ])('exits 2 with one line for the command line %j', async (args, message) => {
    const result = await cli(args);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 2 and leaves a database alone that is not a member\'s', async () => {
    const folder = folderWith({ 'other.sqlite': '' });
    const result = await cli(['tuni.fi', EXAMPLE_DIR, '--database', `sqlite:${join(folder, 'other.sqlite')}`]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^Configuration error: sqlite:.*other\.sqlite is not a member database \(it has no member tables\): check the member id, --database and DATABASE_URL\.\n$/);
    // Opening set the journal mode; no table was made.
    const other = await openMemberDatabase({ kind: 'sqlite', location: join(folder, 'other.sqlite') }, { migrate: false });
    const tables = await (other.em as SqlEntityManager).getKnex().raw("select name from sqlite_master where type = 'table'");
    await other.close(true);
    expect(tables).toEqual([]);
  });

  it('exits 2 when the database is another member\'s', async () => {
    const result = await cli(['aau.dk', EXAMPLE_DIR, '--database', database]);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('Configuration error: this database holds the data of tuni.fi, not of aau.dk: check the member id and --database.\n');
  });

  it('explains itself with --help', async () => {
    const result = await cli(['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: npm run member:import -- <member id> <folder> \[--dry-run\] \[--database <url>\]/);
  });
});

describe('npm run member:import on PostgreSQL', () => {
  let db: MemberDatabase;
  beforeAll(async () => {
    db = await memberDatabase('postgresql');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('imports into the database DATABASE_URL names', async () => {
    const result = await cli(['tuni.fi', EXAMPLE_DIR], { DATABASE_URL: db.target.location });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Import into tuni\.fi \(postgresql:\/\/127\.0\.0\.1:5432\/hub_test[^)]*\)/);
    expect((await snapshot(db.orm))['achievement']).toHaveLength(2);
  });
});
