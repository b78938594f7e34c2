import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OeapiClient } from '../../subgraphs/member/oeapi/client.js';
import type { OeapiDataset } from '../../subgraphs/member/oeapi/dataset.js';
import type { OeapiFixture } from '../../subgraphs/member/oeapi/fixture.js';
import { mapCourseOffering } from '../../subgraphs/member/oeapi/mapping-opportunity.js';
import type { OeapiCourseOfferingAssociation } from '../../subgraphs/member/oeapi/types.js';
import { Achievement, AchievementCorrection, Enrolment, LearnerAccount, LearningOpportunity, LearningOutcome, MemberAudit, SyncHeld, SyncLock, SyncRun } from '../../subgraphs/member/model.js';
import { SyncBusyError } from '../../subgraphs/member/sync/state.js';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { loadContext, startFixture, type OeapiTestContext } from '../oeapi/helpers.js';
import { DEFAULTS, MEMBER, memberDatabase, rowCounts, runSync, snapshot, syncClient, syncDataset, type MemberDatabase } from './helpers.js';

/*
 * The sync against the fixture OEAPI server (real HTTP on a free port) into
 * a real member database of each dialect: a first run imports everything it
 * can and says why it held the rest back, later runs write only what the
 * source changed, a changed result becomes a correction, and a full run
 * withdraws what the source no longer has without deleting anything.
 */

let context: OeapiTestContext;
beforeAll(() => {
  context = loadContext();
});

const gid = (id: string) => `${MEMBER}:${id}`;

/** A completed, final pass or fail: the associations the mapping makes an achievement of. */
function hasAchievement(association: OeapiCourseOfferingAssociation): boolean {
  const result = association.result;
  return association.role === 'student' && result?.state === 'completed' && result.final !== false && (result.pass === 'passed' || result.pass === 'failed');
}

describe.each(DATABASE_KINDS)('syncFromOeapi into %s', (kind) => {
  let dataset: OeapiDataset;
  let fixture: OeapiFixture;
  let db: MemberDatabase;
  let client: OeapiClient;
  beforeAll(async () => {
    dataset = syncDataset(context);
    fixture = await startFixture(context, { dataset });
    db = await memberDatabase(kind);
    client = syncClient(context, fixture.url);
  });
  afterAll(async () => {
    await client?.close();
    await fixture?.stop();
    await db?.drop();
  });
  const em = () => db.orm.em.fork();

  it('imports the fixture on a first, full run: every record is written or held back with its field and reason', async () => {
    const result = await runSync(db.orm, kind, client);
    expect(result).toMatchObject({ status: 'succeeded', mode: 'full', reason: 'first complete run', error: null, resumedFrom: null });
    const { offerings, accounts, enrolments } = result.counts;
    expect(offerings.read).toBe(dataset.courseOfferings.length);
    expect(offerings.inserted + offerings.held).toBe(dataset.courseOfferings.length);
    const students = dataset.persons.filter((person) => person.affiliations?.includes('student'));
    expect(accounts.read).toBe(students.length);
    expect(accounts.inserted + accounts.held).toBe(students.length);
    // Associations are read per offering written; lecturers are not enrolments.
    const written = new Set((await em().find(LearningOpportunity, {})).map((offering) => offering.id));
    const associations = dataset.associations.filter((association) => written.has(gid(association.courseOfferingId as string)));
    const studentAssociations = associations.filter((association) => association.role === 'student');
    expect(enrolments.read).toBe(associations.length);
    expect(enrolments.notStudents).toBe(associations.length - studentAssociations.length);
    expect(enrolments.inserted + enrolments.held).toBe(studentAssociations.length);
    const held = new Set(result.held.map((record) => record.sourceId));
    expect(await rowCounts(db.orm)).toMatchObject({
      learning_opportunity: offerings.inserted,
      learner_account: accounts.inserted,
      enrolment: enrolments.inserted,
      achievement: studentAssociations.filter((association) => hasAchievement(association) && !held.has(association.associationId)).length,
      achievement_correction: 0,
    });
    // The fixture is incomplete on purpose: each held record names the field and why.
    expect(result.heldThisRun).toBe(result.held.length);
    expect(result.held.length).toBe(offerings.held + accounts.held + enrolments.held);
    for (const record of result.held) for (const problem of record.problems) expect(problem).toMatchObject({ field: expect.any(String), reason: expect.any(String) });
    const codes = new Set(result.held.flatMap((record) => record.problems.map((problem) => problem.code)));
    expect([...codes]).toEqual(expect.arrayContaining(['NO_EQF_LEVEL', 'NO_WORKLOAD', 'NO_MODE', 'ACCOUNT_RULES', 'RESULT_RULES']));
    expect(await em().count(SyncHeld, {})).toBe(result.held.length);
    // One audit row per run, with counts and no learner's data.
    const audits = await em().find(MemberAudit, { actorSubject: 'sync:oeapi' });
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ action: 'syncOeapi', entityType: 'SyncRun', entityId: result.runId, actorMemberId: MEMBER });
    for (const person of students) expect(audits[0]!.after).not.toContain(person.email as string);
    const [run] = await em().find(SyncRun, {});
    expect(run).toMatchObject({ id: result.runId, status: 'succeeded', mode: 'full', heldBack: result.held.length });
    expect(run!.nextWatermark?.toISOString()).toBe(result.nextWatermark?.toISOString());
    expect(JSON.parse(run!.counts)).toEqual(result.counts);
  });

  it('writes an offering with exactly the fields and outcomes the mapping gives', async () => {
    const course = dataset.courses[1]!;
    const offering = dataset.courseOfferings.find((candidate) => candidate.courseId === course.courseId)!;
    const { gradingSchemes: _schemes, accreditation: _accreditation, ...defaults } = DEFAULTS;
    const { record } = mapCourseOffering({ memberId: MEMBER, course, offering, defaults, learningOutcomes: new Map(dataset.learningOutcomes.map((outcome) => [outcome.learningOutcomeId, outcome])) });
    const { learningOutcomes, ...fields } = record;
    const stored = await em().findOneOrFail(LearningOpportunity, { id: gid(offering.courseOfferingId) });
    expect(stored).toMatchObject({ ...fields, withdrawnAt: null });
    expect(stored.sortTitle).toBe(fields.title?.toLowerCase());
    const outcomes = await em().find(LearningOutcome, { opportunity: stored.id }, { orderBy: { position: 'asc' } });
    expect(outcomes.map(({ position, description, skillUri, expectedProficiency }) => ({ position, description, skillUri, expectedProficiency }))).toEqual(learningOutcomes);
    expect(learningOutcomes.length).toBeGreaterThan(0);
  });

  it('writes nothing on a second run: incremental, every record re-read is unchanged', async () => {
    const before = await snapshot(db.orm);
    const result = await runSync(db.orm, kind, client);
    expect(result).toMatchObject({ status: 'succeeded', mode: 'incremental' });
    for (const name of ['offerings', 'accounts', 'enrolments', 'achievements'] as const) expect([name, result.counts[name].inserted, result.counts[name].updated]).toEqual([name, 0, 0]);
    expect(await snapshot(db.orm)).toEqual(before);
  });

  it('updates only what was touched at the source: a renamed course, an offering on its own', async () => {
    const course = dataset.courses[1]!;
    fixture.touch('courses', course.courseId, (record) => void (record['name'] = [{ language: 'en-GB', value: 'Renamed urban mobility' }]));
    const offering = dataset.courseOfferings.find((candidate) => candidate.courseId === dataset.courses[2]!.courseId)!;
    fixture.touch('courseOfferings', offering.courseOfferingId, (record) => void (record['maxNumberStudents'] = 77));
    const before = await snapshot(db.orm);
    const asked = fixture.requests.length;
    const result = await runSync(db.orm, kind, client);
    expect(result.counts.offerings).toMatchObject({ inserted: 0, updated: 3 });
    expect(result.counts.accounts).toMatchObject({ inserted: 0, updated: 0 });
    const after = await snapshot(db.orm);
    const changed = (after['learning_opportunity'] as { id: string }[]).filter((row, index) => JSON.stringify(row) !== JSON.stringify(before['learning_opportunity']![index])).map((row) => row.id);
    const renamed = dataset.courseOfferings.filter((candidate) => candidate.courseId === course.courseId).map((candidate) => gid(candidate.courseOfferingId));
    expect(changed.sort()).toEqual([...renamed, gid(offering.courseOfferingId)].sort());
    expect((await em().findOneOrFail(LearningOpportunity, { id: renamed[0]! })).title).toBe('Renamed urban mobility');
    expect((await em().findOneOrFail(LearningOpportunity, { id: gid(offering.courseOfferingId) })).capacity).toBe(77);
    expect({ ...after, learning_opportunity: [] }).toEqual({ ...before, learning_opportunity: [] });
    // Only the two affected courses' offering lists were read again.
    const offeringLists = fixture.requests.slice(asked).filter((request) => request.template === '/courses/{courseId}/course-offerings');
    expect(offeringLists).toHaveLength(2);
  });

  it('makes a changed result a correction: revision 2 and an AchievementCorrection row', async () => {
    const stored = await em().findOneOrFail(Achievement, { gradingSchemeCode: 'nl-1-10', passed: true }, { orderBy: { id: 'asc' } });
    const association = dataset.associations.find((candidate) => gid(candidate.associationId) === stored.id)!;
    const grade = stored.grade === '6' ? '7' : '6';
    fixture.touch('associations', association.associationId, (record) => void ((record['result'] as Record<string, unknown>)['score'] = grade));
    const result = await runSync(db.orm, kind, client);
    expect(result.counts.achievements).toMatchObject({ inserted: 0, updated: 1 });
    expect(await em().findOneOrFail(Achievement, { id: stored.id })).toMatchObject({ grade, revision: 2, passed: true });
    const corrections = await em().find(AchievementCorrection, {});
    expect(corrections).toEqual([expect.objectContaining({ achievementId: stored.id, revision: 2, correctedBy: 'sync:oeapi' })]);
  });

  it('holds back a record served without a required field, reports it, and writes it once it is fixed', async () => {
    const person = dataset.persons[2]!;
    const before = await em().findOneOrFail(LearnerAccount, { id: gid(person.personId) });
    fixture.setFaults({ missingRequired: { id: person.personId, field: 'primaryCode' } });
    fixture.touch('persons', person.personId, (record) => void (record['givenName'] = 'Renamed'));
    const broken = await runSync(db.orm, kind, client);
    expect(broken.status).toBe('succeeded');
    expect(broken.counts.rejected).toBe(1);
    expect(broken.held).toContainEqual(expect.objectContaining({ kind: 'person', sourceId: person.personId, runId: broken.runId, problems: [expect.objectContaining({ field: 'primaryCode', code: 'INVALID_RECORD', reason: expect.stringContaining('primaryCode') })] }));
    expect((await em().findOneOrFail(LearnerAccount, { id: before.id })).givenName).toBe(before.givenName);
    // Fixing a record at the source changes its modification time: the next run reads and writes it.
    fixture.setFaults({});
    fixture.touch('persons', person.personId);
    const fixed = await runSync(db.orm, kind, client);
    expect(fixed.counts.accounts.updated).toBe(1);
    expect((await em().findOneOrFail(LearnerAccount, { id: before.id })).givenName).toBe('Renamed');
    expect(fixed.held.some((record) => record.sourceId === person.personId)).toBe(false);
  });

  it('withdraws an offering a full run no longer finds, keeps its enrolments, and reinstates it when it returns', async () => {
    const enrolled = (await em().find(Enrolment, {}, { orderBy: { id: 'asc' } }))[0]!;
    const index = dataset.courseOfferings.findIndex((candidate) => gid(candidate.courseOfferingId) === enrolled.opportunity.id);
    const [removed] = dataset.courseOfferings.splice(index, 1);
    const enrolments = await em().count(Enrolment, { opportunity: enrolled.opportunity.id });
    const result = await runSync(db.orm, kind, client, { full: true });
    expect(result).toMatchObject({ status: 'succeeded', mode: 'full', reason: 'asked for (--full)' });
    expect(result.counts.offerings.withdrawn).toBe(1);
    const withdrawn = await em().findOneOrFail(LearningOpportunity, { id: enrolled.opportunity.id });
    expect(withdrawn.withdrawnAt).toBeInstanceOf(Date);
    expect(withdrawn.withdrawalReason).toMatch(/^No longer in tuni\.fi's student information system/);
    expect(await em().count(Enrolment, { opportunity: enrolled.opportunity.id })).toBe(enrolments);
    dataset.courseOfferings.splice(index, 0, removed!);
    const back = await runSync(db.orm, kind, client, { full: true });
    expect(back.counts.offerings.reinstated).toBe(1);
    expect((await em().findOneOrFail(LearningOpportunity, { id: enrolled.opportunity.id })).withdrawnAt).toBeNull();
  });

  it('takes over a lock that went stale, and refuses one renewed recently', async () => {
    const lock = { name: 'oeapi', runId: '00000000-0000-4000-8000-000000000000', host: 'elsewhere.example', pid: 1, acquiredAt: new Date(Date.now() - 3_600_000), version: 7 };
    await em().insert(SyncLock, { ...lock, heartbeatAt: new Date(Date.now() - 30_000) });
    await expect(runSync(db.orm, kind, client, { lockStaleSeconds: 600 })).rejects.toThrow(/another sync of this member is running: run 00000000-.* on elsewhere\.example \(process 1\).*last renewed 30 s ago/);
    await em().nativeUpdate(SyncLock, { name: 'oeapi' }, { heartbeatAt: new Date(Date.now() - 700_000) });
    const result = await runSync(db.orm, kind, client, { lockStaleSeconds: 600 });
    expect(result).toMatchObject({ status: 'succeeded', tookOverFrom: lock.runId });
    expect(await em().count(SyncLock, {})).toBe(0);
  });

  it('sweeps everything when the defaults changed: unchanged source records map differently', async () => {
    const offerings = await em().count(LearningOpportunity, {});
    const result = await runSync(db.orm, kind, client, { defaults: { ...DEFAULTS, qualityAssurance: 'FINEEC audit 2026' } });
    expect(result).toMatchObject({ status: 'succeeded', mode: 'full', reason: 'the mapping configuration changed since the last complete run' });
    expect(result.counts.offerings.updated).toBe(offerings);
    expect(await em().count(LearningOpportunity, { qualityAssurance: 'FINEEC audit 2026' })).toBe(offerings);
  });

  it('lets one run at a time hold the lock: a second start is refused while the first runs', async () => {
    const outcomes = await Promise.allSettled([runSync(db.orm, kind, client), runSync(db.orm, kind, client)]);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    const refused = outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(SyncBusyError);
    expect((refused.reason as Error).message).toMatch(/another sync of this member is running: run .* on .* \(process \d+\)/);
  });
});

describe('a member that may not mark offerings credit-bearing on its own (utwente.nl, authority NONE)', () => {
  let fixture: OeapiFixture;
  let db: MemberDatabase;
  let client: OeapiClient;
  beforeAll(async () => {
    fixture = await startFixture(context, { dataset: syncDataset(context, { courses: 4, students: 6 }) });
    db = await memberDatabase('sqlite', 'utwente.nl');
    client = syncClient(context, fixture.url);
  });
  afterAll(async () => {
    await client?.close();
    await fixture?.stop();
    await db?.drop();
  });

  it('holds credit-bearing offerings back under the rule, and writes them with the accreditation of the defaults file', async () => {
    const held = await runSync(db.orm, 'sqlite', client, { memberId: 'utwente.nl' });
    const creditBearing = held.held.filter((record) => record.problems.some((problem) => problem.field === 'creditBearing'));
    expect(creditBearing.length).toBeGreaterThan(0);
    expect(creditBearing[0]!.problems[0]!.reason).toMatch(/^University of Twente has accreditation authority NONE/);
    const accreditation = { reference: 'NVAO-UT-2024-001', body: 'NVAO', decidedOn: '2024-03-01', validUntil: null, url: null };
    const written = await runSync(db.orm, 'sqlite', client, { memberId: 'utwente.nl', defaults: { ...DEFAULTS, accreditation } });
    expect(written).toMatchObject({ mode: 'full', heldThisRun: 0, held: [] });
    const offering = await db.orm.em.fork().findOneOrFail(LearningOpportunity, { id: creditBearing[0]!.hubId! });
    expect(offering).toMatchObject({ creditBearing: true, accreditationReference: 'NVAO-UT-2024-001', accreditationBody: 'NVAO', accreditationDecidedOn: '2024-03-01' });
  });
});
