import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberProfile } from '../../hub/alliance.js';
import { parseSafelist, readSafelist, sha256Hex, type Safelist } from '../../gateway/safelist.js';
import { ConfigError } from '../../lib/config.js';
import { parseRegistry } from '../../subgraphs/members/registry.js';
import { startTestHub, type GraphQLBody, type TestHub } from '../helpers/hub.js';

/*
 * The persisted-operation safelist (SAFELIST_FILE): a gateway started with
 * the portal's manifest runs its operations, sent by hash or as their exact
 * text, and refuses everything else with a clear error that leaks nothing.
 * Only anonymous catalogue queries are used.
 */

const CATALOGUE = 'query Catalogue { offerings(first: 5) { nodes { id title } } }';
const INSTITUTIONS = 'query Institutions { institutions { id name } }';
const PAGE = 'query CataloguePage($first: Int) { offerings(first: $first) { totalCount nodes { id } } }';
const LEAK = /127\.0\.0\.1|localhost|:\d{4,5}\/|\bat .*\.(ts|js):\d+|node_modules|stacktrace/i;
const REFUSED = (what: string) => `This hub accepts only the portal's registered operations; ${what} is not one of them.`;

function manifest(bodies: Record<string, string>) {
  return {
    format: 'apollo-persisted-query-manifest',
    version: 1,
    operations: Object.entries(bodies).map(([name, body]) => ({ id: sha256Hex(body), name, type: 'query', body })),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'hub-safelist-'));
function manifestFile(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

let hub: TestHub;
let safelist: Safelist;

beforeAll(async () => {
  safelist = readSafelist(manifestFile('portal.json', manifest({ Catalogue: CATALOGUE, Institutions: INSTITUTIONS, CataloguePage: PAGE })));
  hub = await startTestHub(
    {
      learners: 5,
      registry: parseRegistry({ members: [{ id: 'tuni.fi', name: memberProfile('tuni.fi')?.name, endpoint: 'http://127.0.0.1:0/graphql' }] }),
    },
    { safelist },
  );
});
afterAll(async () => {
  await hub?.stop();
});

async function post(body: unknown, url = hub.gatewayUrl) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) as GraphQLBody };
}

async function get(params: Record<string, unknown>) {
  const search = new URLSearchParams(Object.entries(params).map(([key, value]): [string, string] => [key, typeof value === 'string' ? value : JSON.stringify(value)]));
  // Apollo Server's CSRF prevention wants this header on GET requests.
  const response = await fetch(`${hub.gatewayUrl}?${search}`, { headers: { 'apollo-require-preflight': 'true' } });
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) as GraphQLBody };
}

const persisted = (body: string) => ({ persistedQuery: { version: 1, sha256Hash: sha256Hex(body) } });

describe('registered operations', () => {
  it('runs a listed operation sent by hash only (POST)', async () => {
    const { status, body } = await post({ extensions: persisted(CATALOGUE) });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data?.['offerings'].nodes).toHaveLength(5);
  });

  it('runs a listed operation sent by hash only (GET)', async () => {
    const { status, body } = await get({ extensions: persisted(INSTITUTIONS) });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data?.['institutions']).toEqual([{ id: 'tuni.fi', name: memberProfile('tuni.fi')?.name }]);
  });

  it('runs a listed operation sent as its full text, with or without its hash', async () => {
    for (const request of [{ query: CATALOGUE }, { query: CATALOGUE, extensions: persisted(CATALOGUE) }]) {
      const { status, body } = await post(request);
      expect(status).toBe(200);
      expect(body.data?.['offerings'].nodes).toHaveLength(5);
    }
    const viaGet = await get({ query: INSTITUTIONS });
    expect(viaGet.status).toBe(200);
    expect(viaGet.body.data?.['institutions']).toHaveLength(1);
  });

  it('passes variables of a listed operation on', async () => {
    const { status, body } = await post({ extensions: persisted(PAGE), variables: { first: 2 } });
    expect(status).toBe(200);
    expect(body.data?.['offerings'].nodes).toHaveLength(2);
  });
});

describe('everything else', () => {
  it('refuses an operation that is not listed, naming it and leaking nothing', async () => {
    const { status, body, text } = await post({ query: 'query Snoop { offerings(first: 50) { nodes { id title description } } }' });
    expect(status).toBe(400);
    expect(body).toEqual({ errors: [{ message: REFUSED('operation "Snoop"'), extensions: { code: 'OPERATION_NOT_IN_SAFELIST' } }] });
    expect(text).not.toMatch(LEAK);
  });

  it('refuses an anonymous unlisted operation and introspection', async () => {
    for (const query of ['{ institutions { id name country } }', '{ __schema { types { name } } }']) {
      const { status, body, text } = await post({ query });
      expect(status).toBe(400);
      expect(body.errors?.[0]).toEqual({ message: REFUSED('the operation sent'), extensions: { code: 'OPERATION_NOT_IN_SAFELIST' } });
      expect(body.data).toBeUndefined();
      expect(text).not.toMatch(LEAK);
    }
  });

  it('wants the exact text: a reformatted listed operation is not listed', async () => {
    const { status, body } = await post({ query: CATALOGUE.replace(/ /g, '  ') });
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions?.['code']).toBe('OPERATION_NOT_IN_SAFELIST');
  });

  it('refuses the hash of an unknown operation (POST and GET)', async () => {
    const unknown = 'query Other { institutions { id } }';
    for (const answer of [await post({ extensions: persisted(unknown) }), await get({ extensions: persisted(unknown) })]) {
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({
        errors: [{ message: REFUSED(`the persisted operation ${sha256Hex(unknown)}`), extensions: { code: 'OPERATION_NOT_IN_SAFELIST' } }],
      });
      expect(answer.text).not.toMatch(LEAK);
    }
  });

  it('does not run other text under a listed hash', async () => {
    const { status, body } = await post({ query: '{ institutions { id name country } }', extensions: persisted(CATALOGUE) });
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions?.['code']).toBe('OPERATION_NOT_IN_SAFELIST');
  });

  it('refuses a request that names no operation at all', async () => {
    for (const answer of [await post({ variables: {} }), await get({ extensions: '{not json' })]) {
      expect(answer.status).toBe(400);
      expect(answer.body.errors?.[0]?.extensions?.['code']).toBe('OPERATION_NOT_IN_SAFELIST');
    }
  });

  it('changes nothing on a gateway without a safelist', async () => {
    const { status, body } = await post({ query: '{ institutions { id name country } }' }, hub.hub.gatewayUrl);
    expect(status).toBe(200);
    expect(body.data?.['institutions']).toHaveLength(1);
  });
});

describe('the manifest file', () => {
  const good = manifest({ Catalogue: CATALOGUE });
  const first = good.operations[0] as { id: string; name: string; type: string; body: string };

  it('loads a manifest written by @apollo/generate-persisted-query-manifest', () => {
    expect([...safelist.operations.keys()].sort()).toEqual([CATALOGUE, INSTITUTIONS, PAGE].map(sha256Hex).sort());
    expect(safelist.operations.get(sha256Hex(CATALOGUE))).toEqual({ id: sha256Hex(CATALOGUE), name: 'Catalogue', type: 'query', body: CATALOGUE });
  });

  it.each<[string, unknown, RegExp]>([
    ['not JSON', '{ "format": ', /is not JSON: /],
    ['another format', { ...good, format: 'relay' }, /is not a persisted query manifest: "format" must be "apollo-persisted-query-manifest"/],
    ['another version', { ...good, version: 2 }, /has manifest version 2; only version 1 is supported\./],
    ['no operations', { ...good, operations: [] }, /lists no operations/],
    [
      'an id that is not the sha256 of the body',
      { ...good, operations: [{ ...first, id: sha256Hex('something else') }] },
      new RegExp(`operation 1 \\("Catalogue"\\) whose id ${sha256Hex('something else')} is not the sha256 of its body \\(that is ${first.id}\\)`),
    ],
    ['an operation without a body', { ...good, operations: [{ ...first, body: undefined }] }, /operation 1 \("Catalogue"\) without a "body"/],
    ['an unknown operation type', { ...good, operations: [{ ...first, type: 'fragment' }] }, /whose "type" is not query, mutation or subscription/],
    ['a body that is not GraphQL', { ...good, operations: [{ ...first, body: 'query {', id: sha256Hex('query {') }] }, /whose body is not a GraphQL document: Syntax Error/],
  ])('refuses a manifest with %s with a clear ConfigError', (_name, content, message) => {
    const path = manifestFile('bad.json', content);
    let error: unknown;
    try {
      readSafelist(path);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(new RegExp(`^SAFELIST_FILE ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} `));
    expect((error as ConfigError).message).toMatch(message);
  });

  it('says when the file cannot be read', () => {
    expect(() => readSafelist(join(dir, 'missing.json'))).toThrow(new ConfigError(`SAFELIST_FILE ${join(dir, 'missing.json')} cannot be read (ENOENT).`));
  });

  it('checks a manifest given as a value too', () => {
    expect(() => parseSafelist([], 'inline')).toThrow(ConfigError);
    expect(parseSafelist(good, 'inline').operations.size).toBe(1);
  });
});
