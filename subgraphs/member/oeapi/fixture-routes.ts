import type { OeapiDataset } from './dataset.js';
import type { JsonObject } from './spec.js';
import type { OeapiCourse, OeapiCourseOffering, OeapiCourseOfferingAssociation, OeapiPerson } from './types.js';

/*
 * What the fixture serves: the OEAPI paths a sync needs, each answered from
 * the dataset the way the spec describes it (ordering, the `since` default of
 * offering lists, 404 only on instance endpoints). Paging, authentication and
 * faults are fixture.ts's business; this file only selects records.
 */

/** A request the routes cannot answer: becomes a Problem response. */
export class RouteProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail: string,
  ) {
    super(detail);
  }
}

export interface RouteQuery {
  params: Record<string, string>;
  search: URLSearchParams;
  /** The fixture's "today" as an ISO date-time. */
  today: string;
}

export interface ListRoute {
  template: string;
  kind: 'list';
  /** The id field of the listed records (used to make fresh records when paging never ends). */
  idField: string;
  list(query: RouteQuery): JsonObject[];
}

export interface ItemRoute {
  template: string;
  kind: 'item';
  get(query: RouteQuery): JsonObject | undefined;
}

export type FixtureRoute = ListRoute | ItemRoute;

/** The dataset's records by kind, as the fixture holds them (tests may change them through the fixture). */
export type FixtureKind = 'courses' | 'courseOfferings' | 'learningOutcomes' | 'persons' | 'associations';

function englishOrFirst(names: unknown): string {
  if (!Array.isArray(names)) return '';
  const entries = names as { language: string; value: string }[];
  return (entries.find((entry) => entry.language.toLowerCase().startsWith('en')) ?? entries[0])?.value ?? '';
}

function parseMoment(name: string, value: string | null): number | undefined {
  if (value === null) return undefined;
  // The spec's schema says date-time, its description says full-date: accept both.
  const time = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(time)) throw new RouteProblem(400, 'Invalid request parameters', `The query parameter '${name}' must be an RFC 3339 date or date-time.`);
  return time;
}

/**
 * The spec's offering lists: "By default only future offerings are shown
 * (equal to ?since=<today>)". A sync that wants past offerings (and their
 * results) has to ask with an explicit `since`.
 */
function offeringsInWindow(offerings: OeapiCourseOffering[], query: RouteQuery): OeapiCourseOffering[] {
  const since = parseMoment('since', query.search.get('since')) ?? Date.parse(query.today);
  const until = parseMoment('until', query.search.get('until'));
  return offerings
    .filter((offering) => {
      const start = Date.parse(offering.startDateTime ?? '');
      const end = Date.parse(offering.endDateTime ?? offering.startDateTime ?? '');
      return start >= since && (until === undefined || end <= until);
    })
    .sort((a, b) => Date.parse(a.startDateTime ?? '') - Date.parse(b.startDateTime ?? '') || a.courseOfferingId.localeCompare(b.courseOfferingId));
}

function byPrimaryCode<T extends { primaryCode: { code: string } }>(records: T[], search: URLSearchParams): T[] {
  const code = search.get('primaryCode');
  return code === null ? records : records.filter((record) => record.primaryCode.code === code);
}

function required(params: Record<string, string>, name: string): string {
  return params[name] ?? '';
}

/** The routes over a dataset. `data` is read on every request, so changes made through the fixture show at once. */
export function fixtureRoutes(data: OeapiDataset): FixtureRoute[] {
  const asJson = (records: object[]): JsonObject[] => records as JsonObject[];
  const courseById = (id: string): OeapiCourse | undefined => data.courses.find((course) => course.courseId === id);
  const offeringById = (id: string): OeapiCourseOffering | undefined => data.courseOfferings.find((offering) => offering.courseOfferingId === id);
  const personById = (id: string): OeapiPerson | undefined => data.persons.find((person) => person.personId === id);
  const organisationId = data.organisation['organisationId'] as string;
  const requireOrganisation = (id: string): void => {
    if (id !== organisationId) throw new RouteProblem(404, 'Resource not found', `The organisation with id '${id}' could not be found.`);
  };
  const sortedCourses = (): OeapiCourse[] => [...data.courses].sort((a, b) => englishOrFirst(a.name).localeCompare(englishOrFirst(b.name)) || a.courseId.localeCompare(b.courseId));
  const associationsBy = (filter: (association: OeapiCourseOfferingAssociation) => boolean): OeapiCourseOfferingAssociation[] =>
    data.associations.filter(filter).sort((a, b) => a.associationId.localeCompare(b.associationId));

  return [
    { template: '/', kind: 'item', get: () => data.service },
    { template: '/organisations', kind: 'list', idField: 'organisationId', list: () => [data.organisation] },
    { template: '/organisations/{organisationId}', kind: 'item', get: ({ params }) => (required(params, 'organisationId') === organisationId ? data.organisation : undefined) },
    {
      template: '/organisations/{organisationId}/courses',
      kind: 'list',
      idField: 'courseId',
      list: ({ params, search }) => {
        requireOrganisation(required(params, 'organisationId'));
        return asJson(byPrimaryCode(sortedCourses(), search));
      },
    },
    {
      template: '/organisations/{organisationId}/course-offerings',
      kind: 'list',
      idField: 'courseOfferingId',
      list: (query) => {
        requireOrganisation(required(query.params, 'organisationId'));
        return asJson(offeringsInWindow(data.courseOfferings, query));
      },
    },
    { template: '/academic-sessions', kind: 'list', idField: 'academicSessionId', list: () => data.academicSessions },
    { template: '/academic-sessions/{academicSessionId}', kind: 'item', get: ({ params }) => data.academicSessions.find((session) => session['academicSessionId'] === params['academicSessionId']) },
    { template: '/courses', kind: 'list', idField: 'courseId', list: ({ search }) => asJson(byPrimaryCode(sortedCourses(), search)) },
    { template: '/courses/{courseId}', kind: 'item', get: ({ params }) => courseById(required(params, 'courseId')) },
    {
      template: '/courses/{courseId}/course-offerings',
      kind: 'list',
      idField: 'courseOfferingId',
      list: (query) => {
        const courseId = required(query.params, 'courseId');
        // A collection endpoint answers an empty list, not 404, for an unknown parent (the spec's ErrorNotFound).
        return asJson(offeringsInWindow(data.courseOfferings.filter((offering) => offering.courseId === courseId), query));
      },
    },
    {
      template: '/course-offerings/{courseOfferingId}',
      kind: 'item',
      get: ({ params, search }) => {
        const offering = offeringById(required(params, 'courseOfferingId'));
        if (!offering) return undefined;
        const expand = (search.get('expand') ?? '').split(',');
        const course = expand.includes('course') && offering.courseId ? courseById(offering.courseId) : undefined;
        return (course ? { ...offering, course } : offering) as JsonObject;
      },
    },
    {
      template: '/course-offerings/{courseOfferingId}/course-offering-associations',
      kind: 'list',
      idField: 'associationId',
      list: ({ params }) => asJson(associationsBy((association) => association.courseOfferingId === params['courseOfferingId'])),
    },
    { template: '/learning-outcomes', kind: 'list', idField: 'learningOutcomeId', list: () => asJson(data.learningOutcomes) },
    { template: '/learning-outcomes/{learningOutcomeId}', kind: 'item', get: ({ params }) => data.learningOutcomes.find((outcome) => outcome.learningOutcomeId === params['learningOutcomeId']) as JsonObject | undefined },
    {
      template: '/persons',
      kind: 'list',
      idField: 'personId',
      list: ({ search }) => {
        const affiliation = search.get('affiliations');
        const persons = affiliation === null ? data.persons : data.persons.filter((person) => person.affiliations?.includes(affiliation));
        return asJson(byPrimaryCode([...persons].sort((a, b) => a.personId.localeCompare(b.personId)), search));
      },
    },
    { template: '/persons/{personId}', kind: 'item', get: ({ params }) => personById(required(params, 'personId')) as JsonObject | undefined },
    {
      template: '/persons/{personId}/course-offering-associations',
      kind: 'list',
      idField: 'associationId',
      list: ({ params }) => asJson(associationsBy((association) => association.personId === params['personId'])),
    },
  ];
}

/** Matches a request path against the route templates; literal segments win over parameters. */
export function matchRoute(routes: readonly FixtureRoute[], pathname: string): { route: FixtureRoute; params: Record<string, string> } | undefined {
  const segments = pathname.split('/').filter(Boolean);
  let best: { route: FixtureRoute; params: Record<string, string>; score: number } | undefined;
  for (const route of routes) {
    const parts = route.template.split('/').filter(Boolean);
    if (parts.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let score = 0;
    const matches = parts.every((part, index) => {
      const segment = segments[index] as string;
      const parameter = /^\{([^}]+)\}$/.exec(part);
      if (parameter) {
        params[parameter[1] as string] = decodeURIComponent(segment);
        score += 1;
        return true;
      }
      score += 2;
      return part === segment;
    });
    if (matches && (!best || score > best.score)) best = { route, params, score };
  }
  return best && { route: best.route, params: best.params };
}
