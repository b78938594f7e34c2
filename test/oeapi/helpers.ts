import { createOeapiClient, type OeapiClient, type OeapiClientOptions } from '../../subgraphs/member/oeapi/client.js';
import { FIXTURE_BEARER_TOKEN, startOeapiFixture, type OeapiFixture, type OeapiFixtureOptions } from '../../subgraphs/member/oeapi/fixture.js';
import { loadOeapiSpec, type OeapiSpec } from '../../subgraphs/member/oeapi/spec.js';
import { createOeapiValidator, type OeapiValidator } from '../../subgraphs/member/oeapi/validator.js';

/** The published spec and one validator over it: loading and compiling take about a second, so a test file does it once. */
export interface OeapiTestContext {
  spec: OeapiSpec;
  validator: OeapiValidator;
}

export function loadContext(): OeapiTestContext {
  const spec = loadOeapiSpec();
  return { spec, validator: createOeapiValidator(spec) };
}

/** A fixture on a free port, sharing the file's spec and validator. */
export function startFixture(context: OeapiTestContext, options: OeapiFixtureOptions = {}): Promise<OeapiFixture> {
  return startOeapiFixture({ spec: context.spec, validator: context.validator, ...options });
}

/** A client for a fixture with its default bearer token and fast retries, so fault tests stay quick. */
export function clientFor(context: OeapiTestContext, baseUrl: string, options: Partial<OeapiClientOptions> = {}): OeapiClient {
  return createOeapiClient({ baseUrl, auth: { type: 'bearer', token: FIXTURE_BEARER_TOKEN }, validator: context.validator, pageSize: 50, backoffMs: 5, maxBackoffMs: 20, timeoutMs: 2_000, ...options });
}

/** All items of an async iterator. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** The error an async action rejects with (fails the test when it resolves). */
export async function rejection(action: () => Promise<unknown>): Promise<Error> {
  try {
    await action();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

/** A GET against the fixture with its token, returning status and parsed body. */
export async function fetchJson(baseUrl: string, path: string, token: string | null = FIXTURE_BEARER_TOKEN): Promise<{ status: number; body: unknown; contentType: string }> {
  const response = await fetch(`${baseUrl}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined, contentType: response.headers.get('content-type') ?? '' };
}
