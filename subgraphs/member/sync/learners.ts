import { SyncRecord } from '../model.js';
import { mapAssociation, mapPerson } from '../oeapi/mapping-learner.js';
import type { OeapiCourse, OeapiCourseOffering, OeapiCourseOfferingAssociation, OeapiPerson, OeapiStudyLoad } from '../oeapi/types.js';
import { checkLearnerAccount } from '../offering-rules.js';
import { clearUnseenHeld } from './catalogue.js';
import { mappingErrors, listOptions, collect, type RunContext } from './run.js';
import { tally, type HeldRecord } from './state.js';
import { writeAccounts, writeAssociations, type PreparedAccount, type PreparedAssociation } from './write-learners.js';

/*
 * The "persons" and "associations" resources. Persons are the students
 * (`affiliations=student`: staff are not learners, and data minimisation
 * says not to copy them). Associations have no top-level list in OEAPI 6.0,
 * so they are read per offering the sync has written; an offering whose
 * associations have not all been read once (new, or with some held back) is
 * read without the watermark until they are, so a record held back for a
 * missing account comes back once the account is there, without the source
 * having to change it.
 */

/** The persons resource: one transaction per page. */
export async function syncPersons(run: RunContext): Promise<void> {
  for await (const page of run.client.pages<OeapiPerson>('/persons', listOptions(run, 'person', { query: { affiliations: 'student' } }))) {
    run.noteServerDate(page.serverDate);
    run.checkStop();
    const prepared: PreparedAccount[] = [];
    const held: HeldRecord[] = [];
    for (const person of page.items) {
      const mapped = mapPerson({ memberId: run.memberId, person });
      run.warned(mapped.warnings.filter((warning) => warning.severity !== 'error'));
      const { record } = mapped;
      const problems = [
        ...mappingErrors(mapped.warnings),
        ...checkLearnerAccount({ givenName: record.givenName, familyName: record.familyName, email: record.email ?? null, studentNumber: record.studentNumber ?? null, allianceLearnerId: null, homeMemberId: null }).map((error) => ({ ...error, code: 'ACCOUNT_RULES' })),
      ];
      if (problems.length > 0) held.push({ kind: 'person', sourceId: person.personId, hubId: record.id, parentId: null, problems });
      else prepared.push({ sourceId: person.personId, record });
    }
    await run.commit('persons', async (tx, counts) => {
      counts.accounts.read += page.items.length;
      counts.accounts.held += held.length;
      await writeAccounts(tx, run, prepared, counts);
      return { line: `persons page ${page.pageNumber}: ${page.items.length} persons (${tally(counts.accounts)})`, held };
    });
  }
  await run.commit(
    'persons',
    async (tx, counts) => {
      if (run.mode === 'full') {
        // Gone from the source: the account stays (results and credentials hang on it); only noted.
        counts.accounts.missing += await tx.nativeUpdate(SyncRecord, { kind: 'person', lastSeenRun: { $ne: run.runId }, missingSince: null }, { missingSince: run.now() });
        await clearUnseenHeld(tx, run, ['person']);
      }
      return { line: `persons: done${run.mode === 'full' ? `, ${counts.accounts.missing} no longer at the source (kept)` : ''}` };
    },
    { done: true },
  );
}

interface OfferingFacts {
  resultValueType: string | null;
  studyLoad: OeapiStudyLoad[] | null;
}

interface OfferingListing {
  record: SyncRecord;
  /** Read without the watermark: every association of the offering is in it. */
  complete: boolean;
  associations: OeapiCourseOfferingAssociation[];
}

function prepareAssociations(run: RunContext, listing: OfferingListing, held: HeldRecord[], notStudents: { count: number }): PreparedAssociation[] {
  const facts = JSON.parse(listing.record.facts ?? '{}') as Partial<OfferingFacts>;
  const offering = { courseOfferingId: listing.record.sourceId, resultValueType: facts.resultValueType ?? null } as OeapiCourseOffering;
  const course = { studyLoad: facts.studyLoad ?? null } as OeapiCourse;
  const prepared: PreparedAssociation[] = [];
  for (const association of listing.associations) {
    const mapped = mapAssociation({
      memberId: run.memberId,
      association,
      offering,
      course,
      gradingSchemes: run.defaults.gradingSchemes,
      ...(run.defaults.hoursPerEcts ? { hoursPerEcts: run.defaults.hoursPerEcts } : {}),
    });
    const { enrolment, achievement } = mapped.record;
    const problems = mappingErrors(mapped.warnings);
    if (problems.length === 0 && !enrolment) {
      // A lecturer or another non-student role: not an enrolment, nothing to hold.
      notStudents.count += 1;
      continue;
    }
    run.warned(mapped.warnings.filter((warning) => warning.severity !== 'error' && warning.code !== 'NOT_A_STUDENT'));
    if (problems.length > 0 || !enrolment?.status) {
      held.push({ kind: 'association', sourceId: association.associationId, hubId: enrolment?.id ?? null, parentId: listing.record.sourceId, problems });
      continue;
    }
    prepared.push({ sourceId: association.associationId, offeringSourceId: listing.record.sourceId, association, enrolment: { ...enrolment, status: enrolment.status }, achievement });
  }
  return prepared;
}

/** Writes the associations of a batch of offerings as one page. */
async function writeBatch(run: RunContext, listings: readonly OfferingListing[], page: number): Promise<void> {
  const held: HeldRecord[] = [];
  const notStudents = { count: 0 };
  const prepared = listings.flatMap((listing) => prepareAssociations(run, listing, held, notStudents));
  const read = listings.reduce((sum, listing) => sum + listing.associations.length, 0);
  await run.commit('associations', async (tx, counts) => {
    counts.enrolments.read += read;
    counts.enrolments.notStudents += notStudents.count;
    counts.enrolments.held += held.length;
    held.push(...(await writeAssociations(tx, run, prepared, counts)));
    for (const listing of listings) {
      const someHeld = held.some((record) => record.parentId === listing.record.sourceId);
      // Complete once a listing of all its associations wrote every one of them; held ones keep it open.
      const complete = someHeld ? false : listing.complete || listing.record.associationsComplete;
      if (complete !== listing.record.associationsComplete) await tx.nativeUpdate(SyncRecord, { id: listing.record.id }, { associationsComplete: complete });
      if (run.mode === 'full' && listing.complete) {
        counts.enrolments.missing += await tx.nativeUpdate(SyncRecord, { kind: 'association', parentId: listing.record.sourceId, lastSeenRun: { $ne: run.runId }, missingSince: null }, { missingSince: run.now() });
      }
    }
    return { line: `associations page ${page}: ${listings.length} offerings, ${read} associations (${tally(counts.enrolments)}, ${notStudents.count} not students); results (${tally(counts.achievements)})`, held };
  });
}

/** The associations resource: per offering written by the sync, batched into pages. */
export async function syncAssociations(run: RunContext): Promise<void> {
  // In byte order of the OEAPI id, the same on both dialects, so a resumed run walks the same sequence.
  const offerings = (await run.em.fork().find(SyncRecord, { kind: 'offering', missingSince: null }, { disableIdentityMap: true })).sort((a, b) => (a.sourceId < b.sourceId ? -1 : a.sourceId > b.sourceId ? 1 : 0));
  let batch: OfferingListing[] = [];
  let records = 0;
  let page = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    page += 1;
    await writeBatch(run, batch, page);
    batch = [];
    records = 0;
  };
  for (const record of offerings) {
    run.checkStop();
    const complete = run.mode === 'full' || !record.associationsComplete;
    const associations = await collect(run.client.associations({ courseOfferingId: record.sourceId }, listOptions(run, 'association', { everything: complete, parentId: record.sourceId })));
    batch.push({ record, complete, associations });
    records += associations.length;
    // A page is a batch of offerings' lists: a checkpoint per offering would be one per request.
    if (records >= run.batchSize || batch.length >= 50) await flush();
  }
  await flush();
  await run.commit(
    'associations',
    async (tx) => {
      if (run.mode === 'full') await clearUnseenHeld(tx, run, ['association']);
      return { line: `associations: done (${offerings.length} offerings)` };
    },
    { done: true },
  );
}
