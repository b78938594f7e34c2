import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OeapiFixture } from '../../subgraphs/member/oeapi/fixture.js';
import { fixtureRoutes } from '../../subgraphs/member/oeapi/fixture-routes.js';
import { findOperation, isObject, OEAPI_PAGE_SIZES, pathTemplates, resolvePointer } from '../../subgraphs/member/oeapi/spec.js';
import { formatIssues } from '../../subgraphs/member/oeapi/validator.js';
import { fetchJson, loadContext, startFixture, type OeapiTestContext } from './helpers.js';

let context: OeapiTestContext;
let fixture: OeapiFixture;

beforeAll(async () => {
  context = loadContext();
  fixture = await startFixture(context, { dataset: { courses: 60, students: 80 } });
});

afterAll(async () => {
  await fixture?.stop();
});

const page = (items: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> => ({ pageSize: 10, pageNumber: 1, hasPreviousPage: false, hasNextPage: false, items, ...extra });

describe('the OEAPI specification as loaded', () => {
  it('is the OpenAPI 3.1 document of OEAPI 6.0, whose schemas are JSON Schema 2020-12', () => {
    expect(context.spec.document['openapi']).toMatch(/^3\.1/);
    expect(context.spec.version).toBe('6.0');
  });

  it('has the page sizes the client and fixture use as its pageSize enum', () => {
    expect(resolvePointer(context.spec, '#/components/parameters/pageSize/schema/enum')).toEqual([...OEAPI_PAGE_SIZES]);
  });

  it('defines every path the fixture serves, as a GET', () => {
    const templates = pathTemplates(context.spec);
    for (const route of fixtureRoutes(fixture.dataset)) {
      expect(templates, route.template).toContain(route.template);
      expect(findOperation(context.spec, route.template, 'GET')?.template).toBe(route.template);
    }
  });

  it('prescribes no authentication scheme (security is left to the deployment)', () => {
    expect(context.spec.document['security']).toEqual([]);
    const components = context.spec.document['components'];
    expect(isObject(components) && components['securitySchemes']).toBeFalsy();
  });
});

describe('what the fixture serves', () => {
  const ids = (): Record<string, string> => ({
    organisationId: fixture.dataset.organisation['organisationId'] as string,
    academicSessionId: fixture.dataset.academicSessions[0]?.['academicSessionId'] as string,
    courseId: fixture.dataset.courses[0]?.courseId as string,
    courseOfferingId: fixture.dataset.courseOfferings[0]?.courseOfferingId as string,
    learningOutcomeId: fixture.dataset.learningOutcomes[0]?.learningOutcomeId as string,
    personId: fixture.dataset.persons[0]?.personId as string,
  });

  it('validates against oeapi.yaml on every endpoint, every page', async () => {
    let checked = 0;
    for (const route of fixtureRoutes(fixture.dataset)) {
      const path = route.template.replace(/\{([^}]+)\}/g, (_, name: string) => ids()[name] as string);
      for (let pageNumber = 1; ; pageNumber += 1) {
        const query = route.kind === 'list' ? `?pageSize=20&pageNumber=${pageNumber}&since=2000-01-01` : '';
        const { status, body } = await fetchJson(fixture.url, `${path}${query}`);
        expect(status, path).toBe(200);
        const issues = context.validator.validateOeapiResponse(path, 'GET', status, body);
        expect(formatIssues(issues), `${path}${query}`).toBe('');
        checked += 1;
        if (route.kind === 'item' || !(body as { hasNextPage: boolean }).hasNextPage) break;
      }
    }
    expect(checked).toBeGreaterThan(30);
  });

  it('serves every record of the dataset in a valid form (the spec examples it starts from included)', () => {
    const schemas = { Course: fixture.dataset.courses, CourseOffering: fixture.dataset.courseOfferings, Person: fixture.dataset.persons, CourseOfferingAssociation: fixture.dataset.associations, LearningOutcome: fixture.dataset.learningOutcomes };
    for (const [name, records] of Object.entries(schemas)) {
      for (const record of records) expect(formatIssues(context.validator.validateValue(`#/components/schemas/${name}`, record)), name).toBe('');
    }
  });

  it('answers errors as the spec\'s Problem documents: 401 without credentials, 404 for an unknown id, 400 for a page size outside the enum', async () => {
    const unknownId = '00000000-0000-0000-0000-000000000000';
    const cases: [path: string, withToken: boolean, expected: number][] = [
      ['/courses', false, 401],
      [`/courses/${unknownId}`, true, 404],
      ['/courses?pageSize=30', true, 400],
    ];
    for (const [path, withToken, expected] of cases) {
      const { status, body, contentType } = await fetchJson(fixture.url, path, withToken ? undefined : null);
      expect(status).toBe(expected);
      expect(contentType).toBe('application/problem+json');
      expect(formatIssues(context.validator.validateOeapiResponse(path, 'GET', status, body))).toBe('');
    }
  });

  it('reports the spec examples it had to replace because they break their own schema', () => {
    const pointers = fixture.dataset.discrepancies.map((discrepancy) => discrepancy.pointer);
    expect(pointers).toContain('#/components/schemas/PersonProperties/properties/primaryCode');
    expect(pointers).toContain('#/components/schemas/CourseOffering/allOf/2/properties/flexibleEntryPeriodEndDateTime');
  });
});

describe('validateOeapiResponse on broken bodies', () => {
  const course = (): Record<string, unknown> => structuredClone(fixture.dataset.courses[1]) as unknown as Record<string, unknown>;

  it('names the record and the missing required field', () => {
    const broken = course();
    delete broken['name'];
    const issues = context.validator.validateOeapiResponse('/courses', 'GET', 200, page([course(), broken]));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ field: '/items/1/name', recordIndex: 1, recordId: broken['courseId'], recordIdField: 'courseId' });
    expect(formatIssues(issues)).toBe(`/items/1/name (courseId ${String(broken['courseId'])}): must have required property "name"`);
  });

  it('says what is wrong with a value, once, without the echoes of oneOf', () => {
    const broken = { ...course(), studyLoad: [{ studyLoadUnit: 'ects', value: 'three' }], level: 42 };
    const lines = formatIssues(context.validator.validateOeapiResponse('/courses/x', 'GET', 200, broken)).split('\n');
    expect(lines).toContain('/studyLoad/0/value: must be number');
    expect(lines).toContain('/level: must be string');
    expect(lines.some((line) => line.includes('oneOf') || line.includes('must be null'))).toBe(false);
  });

  it('folds the anyOf of a person\'s names into one readable choice', () => {
    const person = { personId: fixture.dataset.persons[1]?.personId, primaryCode: { codeType: 'student_number', code: 's1' }, activeEnrolment: true };
    expect(formatIssues(context.validator.validateOeapiResponse('/persons', 'GET', 200, page([person])))).toBe(
      `/items/0/surname (personId ${String(person.personId)}): must have one of the properties "surname", "givenName", "preferredName"`,
    );
  });

  it('catches a broken page envelope and a wrong id format', () => {
    const broken = { ...course(), courseId: 'not-a-uuid' };
    const lines = formatIssues(context.validator.validateOeapiResponse('/courses', 'GET', 200, { pageSize: 10, pageNumber: 0, items: [broken] })).split('\n');
    expect(lines).toEqual(expect.arrayContaining(['/hasPreviousPage: must have required property "hasPreviousPage"', '/pageNumber: must be >= 1', '/items/0/courseId (courseId not-a-uuid): must be a valid uuid']));
  });

  it('refuses operations and statuses the spec does not define', () => {
    expect(formatIssues(context.validator.validateOeapiResponse('/offerings', 'GET', 200, page([])))).toBe('/: OEAPI 6.0 has no operation GET /offerings');
    expect(formatIssues(context.validator.validateOeapiResponse('/courses', 'DELETE', 200, {}))).toMatch(/no operation DELETE/);
    expect(formatIssues(context.validator.validateOeapiResponse('/courses', 'GET', 418, {}))).toBe('/: OEAPI 6.0 defines no 418 response for GET /courses');
  });
});
