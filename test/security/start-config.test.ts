import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberProfile } from '../../hub/alliance.js';
import { MANIFEST_FORMAT, sha256Hex } from '../../gateway/safelist.js';
import { REPO_ROOT } from '../../lib/paths.js';

/*
 * Issue 10 fix 2: the embedded default (`npm start`) honours every documented
 * security variable exactly as `npm run gateway` does (gateway/edge-config.ts).
 * The hub runs as a child process on free ports with a temporary data folder
 * and one member, configured with all of them at once; each check sends its
 * requests from its own client address (TRUSTED_PROXIES lets the test name
 * it), so the rate limit of one does not spend another's budget.
 */

const SMALL = 'query Small { offerings(first: 3) { nodes { id } } }';
const BIG = 'query Big { offerings(first: 60) { nodes { id } } }';
const INTROSPECTION = 'query Schema { __schema { queryType { name } } }';
/** Costs nothing (no objects), so only the request budget counts it. */
const PING = 'query Ping { __typename }';
const PORTAL = 'https://portal.example';

let dataDir: string;
let child: ChildProcess | undefined;
let gatewayUrl: string;
let output = '';

function startHubProcess(env: Record<string, string>): Promise<string> {
  child = spawn('npm', ['start'], { cwd: REPO_ROOT, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /Gateway\s+(http:\/\/\S+\/graphql)/.exec(output)?.[1];
      if (url && output.includes('Press Ctrl+C to stop.')) resolve(url);
    };
    child?.stdout?.on('data', collect);
    child?.stderr?.on('data', collect);
    child?.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
  });
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'hub-start-config-'));
  const registry = join(dataDir, 'members.json');
  writeFileSync(registry, JSON.stringify({ members: [{ id: 'tuni.fi', name: memberProfile('tuni.fi')?.name, endpoint: 'http://127.0.0.1:0/graphql' }] }));
  const safelist = join(dataDir, 'safelist.json');
  const operations = [SMALL, BIG, INTROSPECTION, PING].map((body) => ({ id: sha256Hex(body), name: /query (\w+)/.exec(body)?.[1], type: 'query', body }));
  writeFileSync(safelist, JSON.stringify({ format: MANIFEST_FORMAT, version: 1, operations }));
  gatewayUrl = await startHubProcess({
    DATA_DIR: join(dataDir, 'data'),
    DEMO_LEARNERS: '5',
    MEMBER_REGISTRY: registry,
    GATEWAY_PORT: '0',
    MEMBERS_PORT: '0',
    ESCO_PORT: '0',
    LEARNERS_PORT: '0',
    ISSUANCE_PORT: '0',
    NODE_ENV: 'production',
    RATE_LIMIT_PER_MINUTE: '3',
    CORS_ORIGINS: PORTAL,
    SAFELIST_FILE: safelist,
    MAX_RESULT_ITEMS: '50',
    TRUSTED_PROXIES: 'loopback',
    COST_BUDGET_PER_MINUTE: '5',
  });
}, 180_000);

afterAll(async () => {
  const running = child;
  if (running?.pid !== undefined && running.exitCode === null) {
    const exited = new Promise((resolve) => running.once('exit', resolve));
    // The whole group npm started (npm and the hub it execs), by its id.
    process.kill(-running.pid, 'SIGTERM');
    await exited;
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function ask(query: string, client: string) {
  const response = await fetch(gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': client },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
  return { status: response.status, code: body.errors?.[0]?.extensions?.code, message: body.errors?.[0]?.message ?? '' };
}

describe('npm start with every security variable', () => {
  it('NODE_ENV=production: introspection is off', async () => {
    const answer = await ask(INTROSPECTION, '203.0.113.1');
    expect(answer.status).toBe(400);
    expect(answer.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(answer.message).toMatch(/introspection/i);
  });

  it('SAFELIST_FILE: only the manifest\'s operations run', async () => {
    expect(await ask('{ __typename }', '203.0.113.2')).toMatchObject({ status: 400, code: 'OPERATION_NOT_IN_SAFELIST' });
    expect(await ask(PING, '203.0.113.2')).toMatchObject({ status: 200, code: undefined });
  });

  it('MAX_RESULT_ITEMS: a listed query over the limit is refused', async () => {
    const answer = await ask(BIG, '203.0.113.3');
    expect(answer).toMatchObject({ status: 400, code: 'QUERY_TOO_LARGE' });
    expect(answer.message).toContain('(limit 50)');
  });

  it('RATE_LIMIT_PER_MINUTE and TRUSTED_PROXIES: each client address has its own budget', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await ask(PING, '203.0.113.4')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect((await ask(PING, '203.0.113.5')).status).toBe(200);
  });

  it('COST_BUDGET_PER_MINUTE: a caller that spent its cost budget is refused (Small costs 4 objects)', async () => {
    expect(await ask(SMALL, '203.0.113.7')).toMatchObject({ status: 200 });
    expect(await ask(SMALL, '203.0.113.7')).toMatchObject({ status: 200 });
    const refused = await ask(SMALL, '203.0.113.7');
    expect(refused).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect(refused.message).toContain('up to 5 objects a minute');
  });

  it('CORS_ORIGINS: the portal may call from a browser, others may not', async () => {
    const preflight = (origin: string) =>
      fetch(gatewayUrl, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'x-forwarded-for': '203.0.113.6' } });
    expect((await preflight(PORTAL)).headers.get('access-control-allow-origin')).toBe(PORTAL);
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('npm start with a bad security variable', () => {
  it.each([
    ['TRUSTED_PROXIES', 'proxy.example', /^Configuration error: TRUSTED_PROXIES must list proxy addresses/],
    ['RATE_LIMIT_PER_MINUTE', 'many', /^Configuration error: RATE_LIMIT_PER_MINUTE must be an integer/],
    ['MAX_IN_FLIGHT_COST', '-1', /^Configuration error: MAX_IN_FLIGHT_COST must be an integer from 0/],
    ['SAFELIST_FILE', '/no/such/manifest.json', /^Configuration error: SAFELIST_FILE \/no\/such\/manifest.json cannot be read/],
  ])('%s=%s stops the start with one line and exit code 2', (name, value, message) => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'hub/start.ts'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { ...process.env, [name]: value, DATA_DIR: join(dataDir, 'never-created') },
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });
});
