import type { SqlEntityManager } from '../../../lib/orm.js';
import { SyncHeld, SyncRecord } from '../model.js';
import { OeapiError } from '../oeapi/client-errors.js';
import { mapCourseOffering, type OpportunityDefaults } from '../oeapi/mapping-opportunity.js';
import type { OeapiCourse, OeapiCourseOffering, OeapiLearningOutcome } from '../oeapi/types.js';
import { collect, listOptions, mappingErrors, type RunContext } from './run.js';
import { tally, type HeldRecord } from './state.js';
import { markSeen, release } from './store.js';
import { withdrawMissing, writeOfferings, type PreparedOffering } from './write-offerings.js';

/*
 * The "courses" resource: courses, their offerings and learning outcomes,
 * written as the member's LearningOpportunities (one per offering, its
 * outcomes replaced as a set). OEAPI has no top-level offering list and
 * names outcomes by id, so a course is read with all its offerings, and its
 * outcomes come from a per-run cache. An incremental run re-reads the
 * courses changed since the watermark, plus those whose offerings or
 * outcomes changed (found through the organisation's offering list and the
 * outcome ids remembered per course). A full run reads every course and
 * then withdraws the offerings the source no longer has.
 */

interface CourseFacts {
  outcomes: string[];
}

/** What the mapping needs of the defaults (the rest is the engine's). */
function opportunityDefaults(run: RunContext): OpportunityDefaults {
  const { gradingSchemes: _schemes, accreditation: _accreditation, ...defaults } = run.defaults;
  return defaults;
}

/** A course state other than active that the hub does not offer: the sync withdraws it (and reinstates it when it turns active). */
function withdrawalOf(offering: OeapiCourseOffering): string | null {
  if (offering.state === 'cancelled') return 'Cancelled in the student information system.';
  if (offering.state === 'concept') return 'A draft (concept) in the student information system, not yet offered.';
  return null;
}

class OutcomeCache {
  readonly byId = new Map<string, OeapiLearningOutcome>();
  /** Ids the source could not give (404, or a record that breaks the spec). */
  readonly unreadable = new Set<string>();

  constructor(private readonly run: RunContext) {}

  /** Fetches the outcomes of these courses that are not cached yet, one by one. */
  async fill(courses: readonly OeapiCourse[]): Promise<void> {
    const wanted = new Set(courses.flatMap((course) => (course.learningOutcomes ? [] : (course.learningOutcomeIds ?? []))));
    for (const id of wanted) {
      if (this.byId.has(id) || this.unreadable.has(id)) continue;
      this.run.checkStop();
      try {
        const outcome = await this.run.client.get<OeapiLearningOutcome>(`/learning-outcomes/${encodeURIComponent(id)}`, this.run.signal ? { signal: this.run.signal } : {});
        if (outcome) this.byId.set(id, outcome);
        else this.unreadable.add(id);
      } catch (error) {
        if (!(error instanceof OeapiError) || error.code !== 'INVALID_RECORD') throw error;
        this.unreadable.add(id);
      }
    }
  }
}

/** Maps a course's offerings; mapping errors (and outcomes that could not be read) hold an offering back whole. */
function prepareCourse(run: RunContext, course: OeapiCourse, offerings: readonly OeapiCourseOffering[], outcomes: OutcomeCache, held: HeldRecord[]): PreparedOffering[] {
  const prepared: PreparedOffering[] = [];
  const defaults = opportunityDefaults(run);
  for (const offering of offerings) {
    const mapped = mapCourseOffering({ memberId: run.memberId, course, offering, defaults, learningOutcomes: outcomes.byId });
    const problems = mappingErrors(mapped.warnings);
    for (const id of course.learningOutcomeIds ?? []) {
      if (outcomes.unreadable.has(id)) problems.push({ field: 'course.learningOutcomeIds', reason: `learning outcome ${id} could not be read from the source (missing, or it breaks the spec)`, code: 'OUTCOME_UNREADABLE' });
    }
    run.warned(mapped.warnings);
    if (problems.length > 0) {
      held.push({ kind: 'offering', sourceId: offering.courseOfferingId, hubId: mapped.record.id, parentId: course.courseId, problems });
      continue;
    }
    prepared.push({
      sourceId: offering.courseOfferingId,
      courseId: course.courseId,
      record: mapped.record as PreparedOffering['record'],
      withdrawal: withdrawalOf(offering),
      facts: JSON.stringify({ resultValueType: offering.resultValueType ?? null, studyLoad: course.studyLoad ?? null }),
    });
  }
  return prepared;
}

/** Reads each course's offerings (all of them: a course's list is complete), maps them, and writes them as one page. */
async function writeCourses(run: RunContext, courses: readonly OeapiCourse[], outcomes: OutcomeCache, label: string, done = false): Promise<void> {
  await outcomes.fill(courses);
  const prepared: PreparedOffering[] = [];
  const held: HeldRecord[] = [];
  let offeringsRead = 0;
  for (const course of courses) {
    run.checkStop();
    const offerings = await collect(run.client.courseOfferings({ courseId: course.courseId }, listOptions(run, 'offering', { everything: true, parentId: course.courseId })));
    offeringsRead += offerings.length;
    prepared.push(...prepareCourse(run, course, offerings, outcomes, held));
  }
  await run.commit(
    'courses',
    async (tx, counts) => {
      counts.offerings.read += offeringsRead;
      counts.offerings.held += held.length;
      held.push(...(await writeOfferings(tx, run, prepared, counts)));
      await markSeen(tx, 'course', courses.map((course) => ({ sourceId: course.courseId, hubId: null, facts: JSON.stringify({ outcomes: course.learningOutcomeIds ?? [] } satisfies CourseFacts) })), run.runId, run.now());
      await release(tx, 'course', courses.map((course) => course.courseId));
      return { line: `courses ${label}: ${courses.length} courses, ${offeringsRead} offerings (${tally(counts.offerings)})`, held };
    },
    { done },
  );
}

/** Course ids an incremental run must re-read besides the changed courses: those with changed offerings or outcomes. */
async function affectedCourses(run: RunContext, changedOutcomes: ReadonlySet<string>): Promise<Set<string>> {
  const affected = new Set<string>();
  const organisations = await collect(run.client.pages<{ organisationId: string }>('/organisations', listOptions(run, 'organisation', { everything: true })));
  for (const page of organisations) {
    for (const organisation of page.items) {
      run.checkStop();
      for await (const offering of run.client.courseOfferings({ organisationId: organisation.organisationId }, listOptions(run, 'offering'))) {
        if (offering.courseId) affected.add(offering.courseId);
      }
    }
  }
  if (changedOutcomes.size > 0) {
    const courses = await run.em.fork().find(SyncRecord, { kind: 'course' }, { fields: ['sourceId', 'facts'], disableIdentityMap: true });
    for (const course of courses) {
      const facts = JSON.parse(course.facts ?? '{}') as Partial<CourseFacts>;
      if ((facts.outcomes ?? []).some((id) => changedOutcomes.has(id))) affected.add(course.sourceId);
    }
  }
  return affected;
}

/**
 * Offerings a full sweep did not see. Each is asked for by id before it is
 * withdrawn: paging over a list ordered by name is not a snapshot, and a
 * renamed course can slip past every page; only a 404 counts as gone.
 */
async function sweepMissing(run: RunContext, outcomes: OutcomeCache): Promise<void> {
  const unseen = await run.em.fork().find(SyncRecord, { kind: 'offering', lastSeenRun: { $ne: run.runId }, missingSince: null }, { disableIdentityMap: true, orderBy: { sourceId: 'asc' } });
  const gone: { sourceId: string; hubId: string }[] = [];
  const found: OeapiCourse[] = [];
  const orphans: HeldRecord[] = [];
  const options = run.signal ? { signal: run.signal } : {};
  for (const record of unseen) {
    run.checkStop();
    const offering = await run.client.get<OeapiCourseOffering>(`/course-offerings/${encodeURIComponent(record.sourceId)}`, options);
    if (!offering) {
      gone.push({ sourceId: record.sourceId, hubId: record.hubId as string });
      continue;
    }
    const course = offering.courseId ? await run.client.get<OeapiCourse>(`/courses/${encodeURIComponent(offering.courseId)}`, options) : null;
    if (!course) orphans.push({ kind: 'offering', sourceId: record.sourceId, hubId: record.hubId ?? null, parentId: offering.courseId ?? null, problems: [{ field: 'courseId', reason: 'the offering is still served, but its course is not: the hub keeps the version it has', code: 'COURSE_MISSING' }] });
    else if (!found.some((other) => other.courseId === course.courseId)) found.push(course);
  }
  if (found.length > 0) await writeCourses(run, found, outcomes, 'found by id');
  await run.commit(
    'courses',
    async (tx, counts) => {
      await withdrawMissing(tx, run, gone, counts);
      await clearUnseenHeld(tx, run, ['course', 'outcome', 'offering']);
      counts.offerings.held += orphans.length;
      return { line: `courses: full sweep done, ${gone.length} offering${gone.length === 1 ? '' : 's'} gone from the source withdrawn`, held: orphans };
    },
    { done: true },
  );
}

/** After a full sweep of a resource: held records it did not meet again are gone from the source. */
export async function clearUnseenHeld(tx: SqlEntityManager, run: RunContext, kinds: readonly string[]): Promise<void> {
  await tx.nativeDelete(SyncHeld, { kind: { $in: [...kinds] }, runId: { $ne: run.runId } });
}

export async function syncCourses(run: RunContext): Promise<void> {
  const outcomes = new OutcomeCache(run);
  const changedOutcomes = new Set<string>();
  // Outcomes are few (a catalogue's): a full run lists them all; an incremental one the changed ones, the rest by id when needed.
  for await (const page of run.client.pages<OeapiLearningOutcome>('/learning-outcomes', listOptions(run, 'outcome'))) {
    run.noteServerDate(page.serverDate);
    for (const outcome of page.items) {
      outcomes.byId.set(outcome.learningOutcomeId, outcome);
      changedOutcomes.add(outcome.learningOutcomeId);
    }
    run.checkStop();
  }
  const affected = run.mode === 'incremental' ? await affectedCourses(run, changedOutcomes) : new Set<string>();
  const processed = new Set<string>();
  for await (const page of run.client.pages<OeapiCourse>('/courses', listOptions(run, 'course'))) {
    run.noteServerDate(page.serverDate);
    run.checkStop();
    for (const course of page.items) processed.add(course.courseId);
    if (page.items.length > 0 || page.rejected.length > 0) await writeCourses(run, page.items, outcomes, `page ${page.pageNumber}`);
  }
  if (run.mode === 'full') {
    await sweepMissing(run, outcomes);
    return;
  }
  const extra = [...affected].filter((id) => !processed.has(id)).sort();
  for (let start = 0; start < extra.length; start += run.batchSize) {
    const courses: OeapiCourse[] = [];
    for (const id of extra.slice(start, start + run.batchSize)) {
      run.checkStop();
      // Gone at the source: its offerings are withdrawn by the next full sweep.
      const course = await run.client.get<OeapiCourse>(`/courses/${encodeURIComponent(id)}`, run.signal ? { signal: run.signal } : {});
      if (course) courses.push(course);
    }
    await writeCourses(run, courses, outcomes, `by id ${start / run.batchSize + 1}`);
  }
  await run.commit('courses', async () => ({ line: `courses: done (${processed.size + extra.length} courses re-read)` }), { done: true });
}
