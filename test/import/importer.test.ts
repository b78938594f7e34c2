import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { foldText } from '../../lib/text.js';
import { Achievement, AchievementCorrection, AcquiredSkill, LearningOpportunity } from '../../subgraphs/member/model.js';
import { importMemberFiles, type ImportReport } from '../../subgraphs/member/import/importer.js';
import { formatRowError } from '../../subgraphs/member/import/report.js';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { auditRows, EXAMPLE_DIR, exampleFiles, folderWith, memberDatabase, NOW, snapshot, type MemberDatabase } from './helpers.js';

const run = (db: MemberDatabase, folder: string, options: { dryRun?: boolean } = {}) => importMemberFiles(db.orm, { memberId: 'tuni.fi', folder, now: NOW, ...options });
const counts = (report: ImportReport) => Object.fromEntries(report.files.map((file) => [file.file, [file.status, file.read, file.inserted, file.updated, file.unchanged, file.rejected]]));
const fileOf = (report: ImportReport, name: string) => report.files.find((file) => file.file === name)!;

/** The example set with one file's rows replaced by a header-keeping edit. */
function edited(name: string, edit: (content: string) => string): Record<string, string> {
  const files = exampleFiles();
  files[name] = edit(files[name] as string);
  return files;
}
const appendRows = (...rows: string[]) => (content: string) => `${content}${rows.join('\n')}\n`;
const replace = (from: string, to: string) => (content: string) => {
  if (!content.includes(from)) throw new Error(`the example has no "${from}"`);
  return content.replace(from, to);
};

const NEW_OFFERING = 'ex-mm-2,,Circular economy basics,,MICRO_MODULE,OUTSIDE_LEARNING_PATH,1,27,6,0521,WRITTEN_EXAM,ONLINE,FORMAL,Internal QA.,,,STAND_ALONE,,,en,,,,,true,,,,,,';
const NEW_ACCOUNT = 'ex-acc-9,Nine,Example,nine@example.org,,,,';

/**
 * Bad inputs as data: each file keeps the example's good rows (so a new good
 * row next to the bad one shows that nothing of the file is written) and
 * the error is reported at its line and field.
 */
const BAD_INPUTS: { name: string; file: string; files: () => Record<string, string | Uint8Array>; error: string | RegExp; skipped?: string[] }[] = [
  {
    name: 'unknown and missing columns',
    file: 'offerings.csv',
    files: () => edited('offerings.csv', (content) => content.replace(/^id,code,title,/, 'id,code,titel,')),
    error: /^offerings\.csv:1: header: unknown column "titel" \(did you mean "title"\?\); missing required column "title"\. The columns are: id, code, title,/,
    skipped: ['learning-outcomes.csv', 'enrolments.csv', 'results.csv'],
  },
  {
    name: 'an EQF level out of range',
    file: 'offerings.csv',
    files: () => edited('offerings.csv', appendRows(NEW_OFFERING.replace(',1,27,6,', ',1,27,9,'))),
    error: 'offerings.csv:4 field "eqfLevel": 9 is not an EQF level (1 to 8)',
    skipped: ['learning-outcomes.csv', 'enrolments.csv', 'results.csv'],
  },
  {
    name: 'ECTS and hours that disagree',
    file: 'offerings.csv',
    files: () => edited('offerings.csv', appendRows(NEW_OFFERING.replace(',1,27,6,', ',1,60,6,'))),
    error: 'offerings.csv:4 field "workloadHours": 60 hours do not match 1 ECTS: one ECTS credit is 25–30 hours of notional workload, so 25–30 hours',
  },
  {
    name: 'ECTS beyond a year',
    file: 'offerings.csv',
    files: () => edited('offerings.csv', appendRows(NEW_OFFERING.replace(',1,27,6,', ',61,1700,6,'))),
    error: /^offerings\.csv:4 field "ects": 61 is outside the notional workload/,
  },
  {
    name: 'an unknown enum value',
    file: 'offerings.csv',
    files: () => edited('offerings.csv', appendRows(NEW_OFFERING.replace(',ONLINE,', ',HYBRID,'))),
    error: 'offerings.csv:4 field "mode": "HYBRID" is not one of ONLINE, BLENDED, PRESENTIAL, WORK_BASED',
  },
  {
    name: 'a date a spreadsheet reformatted',
    file: 'offerings.csv',
    files: () => edited('offerings.csv', replace(',2026-03-16,', ',16/03/2026,')),
    error: /^offerings\.csv:2 field "startDate": "16\/03\/2026" is not a date written YYYY-MM-DD/,
  },
  {
    name: 'a duplicate local id',
    file: 'offerings.csv',
    files: () => edited('offerings.csv', appendRows(NEW_OFFERING, NEW_OFFERING.replace('Circular', 'Linear'))),
    error: 'offerings.csv:5 field "id": duplicate: line 4 already has offering "ex-mm-2"',
  },
  {
    name: 'a learning outcome of an unknown offering',
    file: 'learning-outcomes.csv',
    files: () => edited('learning-outcomes.csv', appendRows('ex-zz-1,1,Something.,http://data.europa.eu/esco/skill/60c78287-22eb-4103-9c8c-28deaa460da0,FOUNDATION')),
    error: 'learning-outcomes.csv:7 field "offeringId": no offering "ex-zz-1" in offerings.csv or the database',
  },
  {
    name: 'a skill that is not an ESCO URI',
    file: 'learning-outcomes.csv',
    files: () => edited('learning-outcomes.csv', appendRows('ex-ch-1,3,Something.,https://example.org/skill/1,FOUNDATION')),
    error: 'learning-outcomes.csv:7 field "skillUri": "https://example.org/skill/1" is not an ESCO skill URI (http://data.europa.eu/esco/skill/<uuid>)',
  },
  {
    name: 'a formula in a name (CSV injection)',
    file: 'learner-accounts.csv',
    files: () => edited('learner-accounts.csv', appendRows(NEW_ACCOUNT, `ex-acc-10,"=HYPERLINK(""https://evil.example"",""x"")",Example,,,,,`)),
    error: /^learner-accounts\.csv:6 field "givenName": starts with "=", so a spreadsheet opening an export of it would run it as a formula \(CSV injection\)/,
    skipped: ['enrolments.csv', 'results.csv'],
  },
  {
    name: 'a cell starting with @ or a tab',
    file: 'learner-accounts.csv',
    files: () => edited('learner-accounts.csv', appendRows('ex-acc-10,@SUM(A1),Example,,,,,', 'ex-acc-11,Ok,"\tTabbed",,,,,')),
    error: /learner-accounts\.csv:5 field "givenName": starts with "@"[\s\S]*learner-accounts\.csv:6 field "familyName": starts with a tab/,
  },
  {
    name: 'an e-mail address that is not one',
    file: 'learner-accounts.csv',
    files: () => edited('learner-accounts.csv', appendRows('ex-acc-9,Nine,Example,nine-at-example.org,,,,')),
    error: 'learner-accounts.csv:5 field "email": must be an e-mail address such as name@example.org',
  },
  {
    name: 'a file that is not UTF-8',
    file: 'learner-accounts.csv',
    files: () => ({ ...exampleFiles(), 'learner-accounts.csv': latin1(exampleFiles()['learner-accounts.csv'] as string) }),
    error: /^learner-accounts\.csv:4: is not UTF-8 text \(byte 0xED\); it may be Windows-1252 or ISO-8859-1: save it as "CSV UTF-8"/,
  },
  {
    name: 'a UTF-16 file',
    file: 'learner-accounts.csv',
    files: () => ({ ...exampleFiles(), 'learner-accounts.csv': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(exampleFiles()['learner-accounts.csv'] as string, 'utf16le')]) }),
    error: /^learner-accounts\.csv:1: is UTF-16 text/,
  },
  {
    name: 'a hub id where a local id belongs',
    file: 'enrolments.csv',
    files: () => edited('enrolments.csv', replace('ex-enr-4,ex-acc-3,', 'ex-enr-4,tuni.fi:ex-acc-3,')),
    error: 'enrolments.csv:5 field "accountId": "tuni.fi:ex-acc-3" is a hub id; give the member\'s local id without "tuni.fi:", e.g. "ex-acc-3"',
  },
  {
    name: 'an enrolment moved to another account',
    file: 'enrolments.csv',
    files: () => edited('enrolments.csv', replace('ex-enr-1,ex-acc-1,', 'ex-enr-1,ex-acc-2,')),
    error: 'enrolments.csv:2 field "accountId": enrolment "ex-enr-1" is account "ex-acc-1" in offering "ex-mm-1"; an enrolment cannot move to another account or offering: give it a new id',
  },
  {
    name: 'one alliance learner on two accounts',
    file: 'learner-accounts.csv',
    files: () => edited('learner-accounts.csv', (content) => content.replace('TAU900001,,', 'TAU900001,eciu-example-1,').replace('TAU900002,,', 'TAU900002,eciu-example-1,')),
    error: 'learner-accounts.csv:3 field "allianceLearnerId": duplicate: line 2 already has alliance learner "eciu-example-1"',
  },
  {
    name: 'an enrolment of an unknown account',
    file: 'enrolments.csv',
    files: () => edited('enrolments.csv', appendRows('ex-enr-9,ex-acc-404,ex-ch-1,APPLIED,2026-12-01T10:00:00Z,,en,false,,')),
    error: 'enrolments.csv:6 field "accountId": no learner account "ex-acc-404" in learner-accounts.csv or the database',
    skipped: ['results.csv'],
  },
  {
    name: 'a decline without a reason',
    file: 'enrolments.csv',
    files: () => edited('enrolments.csv', replace('NOT_ADMITTED,2026-02-25T16:40:00Z,2026-03-01T09:00:00Z,en,false,PREREQUISITES_NOT_MET,', 'NOT_ADMITTED,2026-02-25T16:40:00Z,2026-03-01T09:00:00Z,en,false,,')),
    error: 'enrolments.csv:4 field "statusReason": is required for NOT_ADMITTED: why was the application declined?',
  },
  {
    name: 'a grade outside the grading scheme',
    file: 'results.csv',
    files: () => edited('results.csv', replace('2026-05-04,true,4,fi-0-5', '2026-05-04,true,7,fi-0-5')),
    error: 'results.csv:2 field "grade": "7" is not a grade of scheme fi-0-5 (5, 4, 3, 2, 1, 0)',
  },
  {
    name: 'a result for an unknown enrolment',
    file: 'results.csv',
    files: () => edited('results.csv', appendRows('ex-res-9,ex-enr-404,,,2026-05-04,false,0,fi-0-5,,,')),
    error: 'results.csv:4 field "enrolmentId": no enrolment "ex-enr-404" in enrolments.csv or the database',
  },
  {
    name: 'more ECTS than the offering has',
    file: 'results.csv',
    files: () => edited('results.csv', replace('true,4,fi-0-5,2,', 'true,4,fi-0-5,3,')),
    error: "results.csv:2 field \"ectsAwarded\": 3 must be from 0 to the offering's 2 ECTS",
  },
  {
    name: 'a result for an enrolment that is not completed',
    file: 'results.csv',
    files: () => edited('results.csv', appendRows('ex-res-9,ex-enr-4,,,2026-12-01,false,0,fi-0-5,,,')),
    error: 'results.csv:4 field "enrolmentId": the enrolment is ENROLLED; a result belongs to a COMPLETED enrolment',
  },
  {
    name: 'a malformed skills cell',
    file: 'results.csv',
    files: () => edited('results.csv', replace('@FOUNDATION', '@EXPERT')),
    error: /^results\.csv:2 field "skills": "http:\/\/data\.europa\.eu\/esco\/skill\/3edfa33c-c644-4a9a-acd1-e82039daa663@EXPERT" is not "<ESCO skill URI>@<level>"/,
  },
  {
    name: 'a row with a cell too many',
    file: 'results.csv',
    files: () => edited('results.csv', appendRows('ex-res-9,ex-enr-3,,,2026-05-04,false,0,fi-0-5,,,,extra')),
    error: 'results.csv:4: has 12 cells but the header has 11 columns (a delimiter too many, or a cell that needs quotes)',
  },
];

function latin1(text: string): Uint8Array {
  return Uint8Array.from(text, (character) => character.charCodeAt(0));
}

function describeErrors(report: ImportReport, name: string): string {
  const file = fileOf(report, name);
  return [
    ...(file.fileError ? [`${name}${file.fileError.line !== null ? `:${file.fileError.line}` : ''}: ${file.fileError.reason}`] : []),
    ...file.errors.map((error) => formatRowError(name, error)),
  ].join('\n');
}

describe.each(DATABASE_KINDS)('member file import on %s', (kind) => {
  let db: MemberDatabase;
  beforeAll(async () => {
    db = await memberDatabase(kind);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('a dry run of the example set reports what it would write and writes nothing', async () => {
    const before = await snapshot(db.orm);
    const report = await run(db, EXAMPLE_DIR, { dryRun: true });
    expect(report.ok).toBe(true);
    expect(counts(report)).toEqual({
      'offerings.csv': ['valid', 2, 2, 0, 0, 0],
      'learning-outcomes.csv': ['valid', 5, 5, 0, 0, 0],
      'learner-accounts.csv': ['valid', 3, 3, 0, 0, 0],
      'enrolments.csv': ['valid', 4, 4, 0, 0, 0],
      'results.csv': ['valid', 2, 2, 0, 0, 0],
    });
    expect(await snapshot(db.orm)).toEqual(before);
    expect(await auditRows(db.orm)).toEqual([]);
  });

  it('a dry run reports a refused file and the files it holds back, and writes nothing', async () => {
    const files = edited('learner-accounts.csv', appendRows('ex-acc-9,=1+1,Example,,,,,'));
    const report = await run(db, folderWith(files), { dryRun: true });
    expect(report.files.map((file) => [file.file, file.status])).toEqual([
      ['offerings.csv', 'valid'],
      ['learning-outcomes.csv', 'valid'],
      ['learner-accounts.csv', 'rejected'],
      ['enrolments.csv', 'skipped'],
      ['results.csv', 'skipped'],
    ]);
    expect((await snapshot(db.orm))['learning_opportunity']).toEqual([]);
    expect(await auditRows(db.orm)).toEqual([]);
  });

  it('imports the example set, and a second run finds every row unchanged', async () => {
    const first = await run(db, EXAMPLE_DIR);
    expect(first.ok).toBe(true);
    expect(counts(first)).toEqual({
      'offerings.csv': ['imported', 2, 2, 0, 0, 0],
      'learning-outcomes.csv': ['imported', 5, 5, 0, 0, 0],
      'learner-accounts.csv': ['imported', 3, 3, 0, 0, 0],
      'enrolments.csv': ['imported', 4, 4, 0, 0, 0],
      'results.csv': ['imported', 2, 2, 0, 0, 0],
    });
    const written = await snapshot(db.orm);
    expect(written['acquired_skill']).toHaveLength(3);
    const em = db.orm.em.fork();
    const offering = await em.findOneOrFail(LearningOpportunity, { id: 'tuni.fi:ex-mm-1' });
    expect(offering).toMatchObject({ ects: 2, workloadHours: 54, eqfLevel: 6, creditBearing: true, sdgList: '11,13', languageList: 'en', sortTitle: 'urban data for sustainable cities' });
    // The search text includes the outcomes imported after the offering.
    expect(offering.searchText).toContain(foldText('Present data to city staff and residents.'));
    expect(await em.findOneOrFail(Achievement, { id: 'tuni.fi:ex-res-2' })).toMatchObject({ passed: false, ectsAwarded: 0, gradingSchemeCode: 'fi-0-5' });

    const second = await run(db, EXAMPLE_DIR);
    expect(Object.values(counts(second)).map(([status, read, inserted, updated, unchanged]) => [status, inserted, updated, unchanged === read])).toEqual(Array(5).fill(['imported', 0, 0, true]));
    expect(await snapshot(db.orm)).toEqual(written);
  });

  it('leaves one audit row per imported file, with counts and no personal data', async () => {
    const audits = await auditRows(db.orm);
    expect(audits.map((audit) => audit.actorSubject)).toEqual(
      [1, 2].flatMap(() => ['offerings.csv', 'learning-outcomes.csv', 'learner-accounts.csv', 'enrolments.csv', 'results.csv'].map((file) => `import:${file}`)),
    );
    expect(audits[2]).toMatchObject({ action: 'importFile', entityType: 'LearnerAccount', entityId: 'learner-accounts.csv', actorMemberId: 'tuni.fi', actorLearnerId: null, before: null });
    expect(JSON.parse(audits[2]?.after as string)).toMatchObject({ format: 'csv', read: 3, inserted: 3, updated: 0, unchanged: 0, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const text = JSON.stringify(audits);
    for (const personal of ['Aino', 'Example', 'example.org', 'TAU900001', 'Urban data']) expect(text).not.toContain(personal);
  });

  it('updates a changed row and only that row', async () => {
    const files = exampleFiles();
    files['offerings.csv'] = (files['offerings.csv'] as string).replace('Urban data for sustainable cities', 'Urban data for liveable cities');
    files['results.csv'] = (files['results.csv'] as string).replace('true,4,fi-0-5', 'true,5,fi-0-5').replace('c3e36d05-8ae8-447f-bb2b-6f9409f85389@ADVANCED', 'c3e36d05-8ae8-447f-bb2b-6f9409f85389@INTERMEDIATE');
    files['learning-outcomes.csv'] = (files['learning-outcomes.csv'] as string).replace('Present data to city staff and residents.', 'Present data to residents.');
    const report = await run(db, folderWith(files));
    expect(counts(report)).toMatchObject({
      'offerings.csv': ['imported', 2, 0, 1, 1, 0],
      'learning-outcomes.csv': ['imported', 5, 0, 1, 4, 0],
      'learner-accounts.csv': ['imported', 3, 0, 0, 3, 0],
      'results.csv': ['imported', 2, 0, 1, 1, 0],
    });
    const em = db.orm.em.fork();
    const offering = await em.findOneOrFail(LearningOpportunity, { id: 'tuni.fi:ex-mm-1' });
    expect(offering).toMatchObject({ title: 'Urban data for liveable cities', sortTitle: 'urban data for liveable cities' });
    expect(offering.searchText).toContain('present data to residents.');
    expect(offering.searchText).not.toContain('city staff');
    // A changed result is a correction: its revision goes up and the issuance service finds it logged.
    expect(await em.findOneOrFail(Achievement, { id: 'tuni.fi:ex-res-1' })).toMatchObject({ grade: '5', revision: 2 });
    expect(await em.findOneOrFail(Achievement, { id: 'tuni.fi:ex-res-2' })).toMatchObject({ revision: 1 });
    const skills = await em.find(AcquiredSkill, { achievement: 'tuni.fi:ex-res-1' });
    expect(skills.map((skill) => skill.level).sort()).toEqual(['FOUNDATION', 'INTERMEDIATE', 'INTERMEDIATE']);
    expect(await em.find(AchievementCorrection, {})).toEqual([expect.objectContaining({ achievementId: 'tuni.fi:ex-res-1', revision: 2, correctedAt: NOW, correctedBy: 'import:results.csv' })]);
    // Back to the example, for the scenarios below (a third revision).
    expect((await run(db, EXAMPLE_DIR)).ok).toBe(true);
    expect(await db.orm.em.fork().findOneOrFail(Achievement, { id: 'tuni.fi:ex-res-1' })).toMatchObject({ grade: '4', revision: 3 });
  });

  it.each(BAD_INPUTS)('refuses $name at its line and field, writing nothing from $file', async ({ file, files, error, skipped = [] }) => {
    const before = await snapshot(db.orm);
    const audits = (await auditRows(db.orm)).length;
    const report = await run(db, folderWith(files()));
    const refused = fileOf(report, file);
    expect(refused.status).toBe('rejected');
    expect(refused.inserted + refused.updated + refused.unchanged).toBe(0);
    if (typeof error === 'string') expect(describeErrors(report, file).split('\n')).toContain(error);
    else expect(describeErrors(report, file)).toMatch(error);
    for (const name of skipped) expect(fileOf(report, name)).toMatchObject({ status: 'skipped', skipped: `it depends on ${file}, which was rejected` });
    // Every other file is the example again: imported as unchanged, with its audit row.
    const others = report.files.filter((other) => other.file !== file && !skipped.includes(other.file));
    for (const other of others) expect(other).toMatchObject({ status: expect.stringMatching(/^(imported|skipped)$/), inserted: 0, updated: 0 });
    expect(report.ok).toBe(false);
    expect(await snapshot(db.orm)).toEqual(before);
    expect((await auditRows(db.orm)).length).toBe(audits + others.filter((other) => other.status === 'imported').length);
  });

  it('reads JSON Lines with the same field names, lists as arrays', async () => {
    const files = exampleFiles();
    delete files['results.csv'];
    const skills = ['2b92a5b2-6758-4ee3-9fb4-b6387a55cc8f@INTERMEDIATE', 'c3e36d05-8ae8-447f-bb2b-6f9409f85389@ADVANCED', '3edfa33c-c644-4a9a-acd1-e82039daa663@FOUNDATION'].map((skill) => `http://data.europa.eu/esco/skill/${skill}`);
    const lines = [
      { id: 'ex-res-1', enrolmentId: 'ex-enr-1', assessedOn: '2026-05-04', passed: true, grade: '4', gradingScheme: 'fi-0-5', ectsAwarded: 2, supervision: 'SUPERVISED_NO_ID_CHECK', skills },
      { id: 'ex-res-2', enrolmentId: 'ex-enr-2', accountId: null, assessedOn: '2026-05-04', passed: false, grade: '0', gradingScheme: 'fi-0-5', ectsAwarded: 0, supervision: 'SUPERVISED_NO_ID_CHECK' },
    ];
    const report = await run(db, folderWith({ ...files, 'results.jsonl': `${lines.map((line) => JSON.stringify(line)).join('\n')}\n\n` }));
    expect(fileOf(report, 'results.jsonl')).toMatchObject({ status: 'imported', read: 2, unchanged: 2 });
    const bad = await run(db, folderWith({ 'results.jsonl': '{"id":"ex-res-1","titel":1}\nnot json\n[1]\n' }));
    const errors = describeErrors(bad, 'results.jsonl').split('\n');
    expect(errors).toHaveLength(6);
    expect(errors).toEqual(expect.arrayContaining([
      'results.jsonl:1 field "titel": is not a field of this file',
      'results.jsonl:1 field "assessedOn": is required',
      "results.jsonl:3: is not a JSON object: each line holds one object with the template's field names",
    ]));
    expect(errors[4]).toMatch(/^results\.jsonl:2: is not valid JSON \(/);
  });

  it('strips a UTF-8 byte order mark and reads semicolon-separated CSV', async () => {
    const files = exampleFiles();
    const accounts = (files['learner-accounts.csv'] as string).replaceAll(',', ';');
    const report = await run(db, folderWith({ 'learner-accounts.csv': `\uFEFF${accounts}` }));
    expect(counts(report)).toEqual({ 'learner-accounts.csv': ['imported', 3, 0, 0, 3, 0] });
  });

  it('keeps the first 100 errors of a file and counts the rest', async () => {
    const rows = Array.from({ length: 130 }, (_, index) => `ex-acc-x${index},Name,Example,not-an-address,,,,`);
    const report = await run(db, folderWith({ 'learner-accounts.csv': `id,givenName,familyName,email,studentNumber,allianceLearnerId,homeMemberId,createdAt\n${rows.join('\n')}\n` }));
    expect(fileOf(report, 'learner-accounts.csv')).toMatchObject({ status: 'rejected', read: 130, rejected: 130, moreErrors: 30 });
    expect(fileOf(report, 'learner-accounts.csv').errors).toHaveLength(100);
  });

  it('reports progress on a long file', async () => {
    const seen: number[] = [];
    await importMemberFiles(db.orm, { memberId: 'tuni.fi', folder: EXAMPLE_DIR, now: NOW, dryRun: true, progressRows: 2, onProgress: ({ file, rows }) => file === 'learning-outcomes.csv' && seen.push(rows) });
    expect(seen).toEqual([2, 4]);
  });

  it('leaves an offering withdrawn through the graph withdrawn when the file lists it again', async () => {
    const withdrawnAt = new Date('2026-12-01T08:00:00Z');
    await db.orm.em.fork().nativeUpdate(LearningOpportunity, { id: 'tuni.fi:ex-ch-1' }, { withdrawnAt, withdrawalReason: 'No city partner this year.' });
    expect(fileOf(await run(db, EXAMPLE_DIR), 'offerings.csv')).toMatchObject({ status: 'imported', unchanged: 2 });
    expect(await db.orm.em.fork().findOneOrFail(LearningOpportunity, { id: 'tuni.fi:ex-ch-1' })).toMatchObject({ withdrawnAt, withdrawalReason: 'No city partner this year.' });
  });

  it('links an account to its alliance learner once and never re-points it', async () => {
    const accounts = exampleFiles()['learner-accounts.csv'] as string;
    const linked = await run(db, folderWith({ 'learner-accounts.csv': accounts.replace('TAU900001,,', 'TAU900001,eciu-example-1,') }));
    expect(counts(linked)).toEqual({ 'learner-accounts.csv': ['imported', 3, 0, 1, 2, 0] });
    // An empty cell keeps the link.
    expect(counts(await run(db, folderWith({ 'learner-accounts.csv': accounts })))).toEqual({ 'learner-accounts.csv': ['imported', 3, 0, 0, 3, 0] });
    const repointed = await run(db, folderWith({ 'learner-accounts.csv': accounts.replace('TAU900001,,', 'TAU900001,eciu-example-2,') }));
    expect(describeErrors(repointed, 'learner-accounts.csv')).toBe(
      'learner-accounts.csv:2 field "allianceLearnerId": account "ex-acc-1" is linked to another alliance learner; the learner register owns that link and an import cannot change it',
    );
  });

  it('takes a result without an enrolment from its account and offering, and checks both against a named enrolment', async () => {
    const header = (exampleFiles()['results.csv'] as string).split('\n')[0];
    const direct = await run(db, folderWith({ 'results.csv': `${header}\nex-res-7,,ex-acc-3,ex-ch-1,2026-12-01,true,pass,pass-fail,,,\n` }));
    expect(counts(direct)).toEqual({ 'results.csv': ['imported', 1, 1, 0, 0, 0] });
    // Not credit-bearing: no ECTS by default.
    expect(await db.orm.em.fork().findOneOrFail(Achievement, { id: 'tuni.fi:ex-res-7' })).toMatchObject({ ectsAwarded: 0, enrolment: null, passed: true });
    const mismatched = await run(db, folderWith({ 'results.csv': `${header}\nex-res-8,ex-enr-3,ex-acc-1,,2026-05-04,false,0,fi-0-5,,,\nex-res-9,,ex-acc-1,,2026-05-04,false,0,fi-0-5,,,\n` }));
    expect(describeErrors(mismatched, 'results.csv').split('\n')).toEqual([
      'results.csv:2 field "accountId": enrolment "ex-enr-3" belongs to account "ex-acc-3"',
      'results.csv:3 field "offeringId": is required when the result names no enrolmentId: give the enrolment, or the account and the offering',
    ]);
  });
});

describe.each(DATABASE_KINDS)('the accreditation rule on %s', (kind) => {
  let db: MemberDatabase;
  beforeAll(async () => {
    // The University of Twente (NONE) may not approve micro-credentials on its own.
    db = await memberDatabase(kind, 'utwente.nl');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('refuses a credit-bearing offering without an external accreditation record, and imports it with one', async () => {
    const header = exampleFiles()['offerings.csv']?.split('\n')[0];
    const row = NEW_OFFERING.replace('Internal QA.', 'NVAO institutional audit.');
    const refused = await importMemberFiles(db.orm, { memberId: 'utwente.nl', folder: folderWith({ 'offerings.csv': `${header}\n${row}\n` }), now: NOW });
    expect(describeErrors(refused, 'offerings.csv')).toBe(
      'offerings.csv:2 field "creditBearing": University of Twente has accreditation authority NONE, so it may not mark an offering credit-bearing on its own: give the external accreditation record (accreditationReference, accreditationBody, accreditationDecidedOn) or set creditBearing to false',
    );
    const accredited = row.replace(/,,,,,$/, ',NVAO-2026-X1,NVAO,2026-01-10,2032-01-10,');
    const imported = await importMemberFiles(db.orm, { memberId: 'utwente.nl', folder: folderWith({ 'offerings.csv': `${header}\n${accredited}\n` }), now: NOW });
    expect(counts(imported)).toEqual({ 'offerings.csv': ['imported', 1, 1, 0, 0, 0] });
    expect(fileOf(imported, 'offerings.csv').warnings).toEqual(['1 offering has no learning outcome (Annex I element 6 is mandatory; add rows to learning-outcomes.csv): ex-mm-2']);
    expect(await db.orm.em.fork().findOneOrFail(LearningOpportunity, { id: 'utwente.nl:ex-mm-2' })).toMatchObject({ accreditationReference: 'NVAO-2026-X1', accreditationDecidedOn: '2026-01-10' });
  });

  it('refuses a database that belongs to another member', async () => {
    await expect(importMemberFiles(db.orm, { memberId: 'tuni.fi', folder: EXAMPLE_DIR, now: NOW })).rejects.toThrow('this database holds the data of utwente.nl, not of tuni.fi');
  });
});
