import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OeapiError } from '../../subgraphs/member/oeapi/client-errors.js';
import { createOeapiClient, type OeapiClient, type OeapiRejectedRecord } from '../../subgraphs/member/oeapi/client.js';
import { FIXTURE_BEARER_TOKEN, type OeapiFixture } from '../../subgraphs/member/oeapi/fixture.js';
import { clientFor, collect, fetchJson, loadContext, rejection, startFixture, type OeapiTestContext } from './helpers.js';

let context: OeapiTestContext;
let fixture: OeapiFixture;
const clients: OeapiClient[] = [];

function client(options: Parameters<typeof clientFor>[2] = {}): OeapiClient {
  const created = clientFor(context, fixture.url, options);
  clients.push(created);
  return created;
}

async function failure(action: () => Promise<unknown>): Promise<OeapiError> {
  const error = await rejection(action);
  expect(error).toBeInstanceOf(OeapiError);
  return error as OeapiError;
}

const requestsSince = (start: number) => fixture.requests.slice(start);

beforeAll(async () => {
  context = loadContext();
  fixture = await startFixture(context);
});

afterEach(() => fixture.setFaults({}));

afterAll(async () => {
  await Promise.all(clients.map((created) => created.close()));
  await fixture?.stop();
});

describe('paging', () => {
  it('follows the spec\'s pages until hasNextPage is false, one request per page', async () => {
    const start = fixture.requests.length;
    const courses = await collect(client({ pageSize: 50 }).courses());
    expect(courses.map((course) => course.courseId).sort()).toEqual(fixture.dataset.courses.map((course) => course.courseId).sort());
    const sent = requestsSince(start);
    expect(sent.map((request) => new URLSearchParams(request.search).get('pageNumber'))).toEqual(['1', '2', '3', '4']);
    expect(sent.every((request) => new URLSearchParams(request.search).get('pageSize') === '50')).toBe(true);
  });

  it('lists persons, offerings of a course and of the organisation, and associations with their results', async () => {
    const api = client({ pageSize: 100 });
    expect(await collect(api.persons())).toHaveLength(fixture.dataset.persons.length);
    const course = fixture.dataset.courses[0]!;
    expect((await collect(api.courseOfferings({ courseId: course.courseId }))).map((offering) => offering.courseId)).toEqual([course.courseId, course.courseId]);
    expect(await collect(api.courseOfferings({ organisationId: fixture.dataset.organisation['organisationId'] as string }))).toHaveLength(fixture.dataset.courseOfferings.length);
    const offering = fixture.dataset.courseOfferings[0]!;
    const associations = await collect(api.associations({ courseOfferingId: offering.courseOfferingId }));
    expect(associations.length).toBeGreaterThan(0);
    const specExample = associations.find((association) => association.associationId === fixture.dataset.associations[0]?.associationId);
    expect(specExample?.result).toMatchObject({ state: 'completed', pass: 'passed', score: '9' });
    const person = fixture.dataset.persons[0]!;
    expect((await collect(api.associations({ personId: person.personId }))).every((association) => association.personId === person.personId)).toBe(true);
    expect(await collect(api.learningOutcomes())).toHaveLength(fixture.dataset.learningOutcomes.length);
  });

  it('asks offering lists for the past too: the spec defaults them to offerings starting from today', async () => {
    const course = fixture.dataset.courses[0]!;
    const { body } = await fetchJson(fixture.url, `/courses/${course.courseId}/course-offerings`);
    expect((body as { items: unknown[] }).items).toHaveLength(1);
    expect(await collect(client().courseOfferings({ courseId: course.courseId }))).toHaveLength(2);
  });

  it('gets one record, null when it does not exist', async () => {
    const api = client();
    const course = fixture.dataset.courses[3]!;
    expect((await api.get(`/courses/${course.courseId}`))?.['courseId']).toBe(course.courseId);
    expect(await api.get('/courses/00000000-0000-0000-0000-000000000000')).toBeNull();
  });
});

describe('modifiedSince', () => {
  it('returns only the records changed after the moment, through filter_query on ext.modifiedAt', async () => {
    const api = client();
    const before = fixture.touch('courses', fixture.dataset.courses[7]!.courseId);
    const changed = [11, 42, 150].map((index) => fixture.dataset.courses[index]!.courseId);
    for (const id of changed) fixture.touch('courses', id, (course) => ((course['abbreviation'] as string) += '-v2'));
    const start = fixture.requests.length;
    const courses = await collect(api.courses({ modifiedSince: before }));
    expect(courses.map((course) => course.courseId).sort()).toEqual([...changed].sort());
    expect(new URLSearchParams(requestsSince(start)[0]?.search).get('filter_query[ext.modifiedAt][gt_date]')).toBe(before);
  });

  it('still returns only changed records when the server ignores the filter, counting what it left out', async () => {
    const api = client({ pageSize: 100 });
    const since = fixture.touch('persons', fixture.dataset.persons[1]!.personId);
    const changed = fixture.dataset.persons[2]!.personId;
    fixture.touch('persons', changed);
    fixture.setFaults({ ignoreModifiedFilter: true });
    const pages = await collect(api.pages('/persons', { modifiedSince: since }));
    expect(pages.flatMap((page) => page.items).map((person) => person['personId'])).toEqual([changed]);
    expect(pages.reduce((sum, page) => sum + page.filteredOut, 0)).toBe(fixture.dataset.persons.length - 1);
    // The server's clock, for a watermark that does not trust the sync's own.
    expect(Math.abs(Date.parse(pages[0]?.serverDate ?? '') - Date.now())).toBeLessThan(5_000);
  });
});

describe('faults', () => {
  it('down: a clear error naming the base URL\'s host, after the retries, without the token', async () => {
    const gone = await startFixture(context, { dataset: fixture.dataset });
    await gone.stop();
    const api = clientFor(context, `${gone.url}/v6`, { retries: 2 });
    clients.push(api);
    const error = await failure(() => collect(api.courses()));
    expect(error.code).toBe('UNREACHABLE');
    expect(error.attempts).toBe(3);
    // The path is relative to the configured base URL (…/v6): the host and the request, nothing more.
    expect(error.message).toBe(`OEAPI server 127.0.0.1:${gone.port}: GET /courses (page 1): could not be reached (connection refused) after 3 attempts.`);
    expect(error.message).not.toContain(FIXTURE_BEARER_TOKEN);
  });

  it('down while listening (connections dropped): unreachable too', async () => {
    fixture.setFaults({ down: true });
    const error = await failure(() => collect(client({ retries: 1 }).courses()));
    expect(error.code).toBe('UNREACHABLE');
    expect(error.message).toContain(`OEAPI server 127.0.0.1:${fixture.port}`);
  });

  it('slow: each request times out, is retried, then fails with TIMEOUT', async () => {
    fixture.setFaults({ delayMs: 2_000 });
    const started = Date.now();
    const error = await failure(() => collect(client({ timeoutMs: 100, retries: 1 }).courses()));
    expect(error.code).toBe('TIMEOUT');
    expect(error.attempts).toBe(2);
    expect(error.message).toBe(`OEAPI server 127.0.0.1:${fixture.port}: GET /courses (page 1): no complete answer within 100 ms after 2 attempts.`);
    // Two waits for the answer would take 4 s: the deadline cut both short.
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('500 on page 2: retried with backoff, then an error naming the page', async () => {
    fixture.setFaults({ failPage: { pageNumber: 2 } });
    const start = fixture.requests.length;
    const error = await failure(() => collect(client({ retries: 2 }).courses()));
    expect(error).toMatchObject({ code: 'HTTP_STATUS', status: 500, pageNumber: 2, attempts: 3, retryable: true });
    expect(error.message).toMatch(/GET \/courses \(page 2\): answered HTTP 500 \(Internal server error: .*\) after 3 attempts\.$/);
    expect(requestsSince(start).filter((request) => request.status === 500)).toHaveLength(3);
  });

  it('a 500 that passes is absorbed by a retry', async () => {
    fixture.setFaults({ failPage: { pageNumber: 2, times: 1, status: 503 } });
    expect(await collect(client().courses())).toHaveLength(fixture.dataset.courses.length);
  });

  it('pages forever, repeating: stopped as soon as a page repeats', async () => {
    fixture.setFaults({ pagesForever: 'repeat' });
    const error = await failure(() => collect(client({ pageSize: 100 }).courses()));
    expect(error).toMatchObject({ code: 'PAGING_LOOP', pageNumber: 3 });
    expect(error.message).toContain('repeating itself');
  });

  it('pages forever, with new records on every page: stopped at maxPages', async () => {
    fixture.setFaults({ pagesForever: 'fresh' });
    const start = fixture.requests.length;
    const error = await failure(() => collect(client({ pageSize: 100, maxPages: 6 }).courses()));
    expect(error.code).toBe('PAGING_LIMIT');
    expect(error.message).toContain('stopped after 6 pages (maxPages)');
    expect(requestsSince(start)).toHaveLength(6);
  });

  it('invalid JSON: a clear error, not retried', async () => {
    fixture.setFaults({ invalidJson: { pageNumber: 2 } });
    const error = await failure(() => collect(client().courses()));
    expect(error).toMatchObject({ code: 'INVALID_JSON', pageNumber: 2, attempts: 1 });
    expect(error.message).toMatch(/answered HTTP 200 with a body that is not JSON/);
  });

  it('a record missing a required field is skipped and reported with its id and field', async () => {
    const broken = fixture.dataset.courses[5]!;
    fixture.setFaults({ missingRequired: { id: broken.courseId, field: 'name' } });
    const rejected: OeapiRejectedRecord[] = [];
    const courses = await collect(client().courses({ onRejected: (record) => rejected.push(record) }));
    expect(courses).toHaveLength(fixture.dataset.courses.length - 1);
    expect(courses.some((course) => course.courseId === broken.courseId)).toBe(false);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ id: broken.courseId, path: '/courses' });
    expect(rejected[0]?.problems[0]?.field).toMatch(/^\/items\/\d+\/name$/);
    expect(rejected[0]?.message).toContain(`(courseId ${broken.courseId}): must have required property "name"`);
  });

  it('a record missing a required field fails the page when the client is set to fail', async () => {
    const broken = fixture.dataset.persons[4]!;
    fixture.setFaults({ missingRequired: { id: broken.personId, field: 'primaryCode' } });
    const error = await failure(() => collect(client({ invalidRecords: 'fail' }).persons()));
    expect(error.code).toBe('INVALID_RECORD');
    expect(error.message).toContain(`(personId ${broken.personId}): must have required property "primaryCode"`);
  });

  it('refused credentials: UNAUTHORIZED at once, no retries, the token never in the message', async () => {
    const start = fixture.requests.length;
    const api = client({ auth: { type: 'bearer', token: 'wrong-secret-token' } });
    const error = await failure(() => collect(api.courses()));
    expect(error).toMatchObject({ code: 'UNAUTHORIZED', status: 401, attempts: 1 });
    expect(requestsSince(start)).toHaveLength(1);
    expect(error.message).not.toContain('wrong-secret-token');
  });
});

describe('configuration and secrets', () => {
  it('accepts basic credentials when the server is set up for them', async () => {
    const basic = await startFixture(context, { dataset: fixture.dataset, auth: { basic: { username: 'sync', password: 'pa55-word' } } });
    try {
      const api = clientFor(context, basic.url, { auth: { type: 'basic', username: 'sync', password: 'pa55-word' } });
      clients.push(api);
      expect(await collect(api.learningOutcomes())).toHaveLength(fixture.dataset.learningOutcomes.length);
      const wrong = clientFor(context, basic.url, { auth: { type: 'basic', username: 'sync', password: 'guessed' } });
      clients.push(wrong);
      expect((await failure(() => collect(wrong.courses()))).message).not.toContain('guessed');
    } finally {
      await basic.stop();
    }
  });

  it('takes the bearer token from a provider on every request, and says so when the provider fails', async () => {
    let calls = 0;
    const api = client({ auth: { type: 'bearer', token: async () => ((calls += 1), FIXTURE_BEARER_TOKEN) }, pageSize: 100 });
    await collect(api.courses());
    expect(calls).toBe(2);
    const failing = client({ auth: { type: 'bearer', token: () => Promise.reject(new Error('vault said: secret-xyz')) } });
    const error = await failure(() => collect(failing.courses()));
    expect(error.message).toBe(`OEAPI server 127.0.0.1:${fixture.port}: GET /courses (page 1): the bearer token provider failed.`);
  });

  it('stops reading an answer larger than maxResponseBytes', async () => {
    const error = await failure(() => collect(client({ maxResponseBytes: 4_096 }).courses()));
    expect(error.code).toBe('INVALID_RESPONSE');
    expect(error.message).toContain('answered more than 4096 bytes (maxResponseBytes)');
  });

  it('refuses credentials in the base URL and page sizes outside the spec\'s enum', () => {
    const auth = { type: 'none' } as const;
    expect(() => createOeapiClient({ baseUrl: 'https://sync:secret@oeapi.example.org', auth, validator: context.validator })).toThrow(/credentials in `auth`/);
    expect(() => createOeapiClient({ baseUrl: fixture.url, auth, pageSize: 30 as 10, validator: context.validator })).toThrow(/pageSize must be one of 10, 20, 50, 100, 250/);
  });

  it('never repeats an upstream URL outside the base URL, nor a secret', async () => {
    const { sanitizeUpstreamText } = await import('../../subgraphs/member/oeapi/client-errors.js');
    expect(sanitizeUpstreamText('see http://10.0.0.5:8080/admin?token=abcd1234 or https://oeapi.example.org/v6/courses; token abcd1234', 'https://oeapi.example.org/v6', ['abcd1234'])).toBe(
      'see [url] or https://oeapi.example.org/v6/courses; token [redacted]',
    );
  });
});
