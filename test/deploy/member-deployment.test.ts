import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { learnerId } from '../../hub/demo.js';
import { ensureHubSigner } from '../../lib/hub-token.js';
import { REPO_ROOT } from '../../lib/paths.js';
import { temporaryDatabase, type TemporaryTarget } from '../helpers/databases.js';

/*
 * A member university's own deployment (issue 14, point 4), tested without
 * Docker: deploy/member/docker-compose.yml is checked against the member's
 * entry point, then the same service runs as a process with the file's
 * environment against a real PostgreSQL, takes its data from the import
 * templates' example, and `npm run member:check` (signed as the hub) passes
 * every probe - and fails the ones a member without the hub's keys fails.
 */

const run = promisify(execFile);
const FILE = join(REPO_ROOT, 'deploy', 'member', 'docker-compose.yml');
const compose = parse(readFileSync(FILE, 'utf8')) as { services: Record<string, { command?: string[]; environment?: Record<string, string | number>; build?: unknown; image?: string; volumes?: string[] }> };

/** The file's environment for a service with its declared defaults (the test ignores the caller's). */
function environment(name: string): Record<string, string> {
  const raw = compose.services[name]?.environment ?? {};
  return Object.fromEntries(Object.entries(raw).map(([key, value]) => [key, String(value).replace(/\$\{(\w+):-([^}]*)\}/g, (_match, _name, fallback: string) => fallback)]));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

describe('deploy/member/docker-compose.yml', () => {
  it("runs the member's own entry point (no demo data) against the PostgreSQL service next to it", () => {
    const member = compose.services['member'];
    expect(member?.command).toEqual(['node', '--import', 'tsx', 'subgraphs/member/index.ts']);
    const env = environment('member');
    const url = new URL(env['DATABASE_URL'] ?? '');
    expect(url.hostname).toBe('db');
    const db = environment('db');
    expect(decodeURIComponent(url.username)).toBe(db['POSTGRES_USER']);
    expect(decodeURIComponent(url.password)).toBe(db['POSTGRES_PASSWORD']);
    expect(url.pathname.slice(1)).toBe(db['POSTGRES_DB']);
    expect(compose.services['db']?.image).toMatch(/^postgres:/);
  });

  it('sets only variables the member service reads, with the profile mounted where MEMBER_PROFILE_FILE points', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'subgraphs', 'member', 'index.ts'), '--help'], { cwd: REPO_ROOT });
    for (const variable of Object.keys(environment('member'))) expect(stdout, variable).toContain(variable);
    const profile = environment('member')['MEMBER_PROFILE_FILE'] as string;
    expect(compose.services['member']?.volumes?.some((volume) => volume.split(':')[1] === profile)).toBe(true);
  });
});

describe('the member deployment as processes against PostgreSQL', () => {
  let database: TemporaryTarget;
  let dir: string;
  let child: ChildProcess | undefined;
  let url = '';
  const output: string[] = [];
  const MEMBER = 'tuni.fi';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'member-deploy-'));
    database = await temporaryDatabase('postgresql');
    // The hub's keys: the member gets only the public key set (HUB_JWKS_FILE instead of the gateway's URL).
    await ensureHubSigner(join(dir, 'keys'));
    cpSync(join(REPO_ROOT, 'deploy', 'member', 'member-profile.example.json'), join(dir, 'member-profile.json'));
    const port = await freePort();
    const env = environment('member');
    delete env['HUB_JWKS_URL'];
    child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'subgraphs', 'member', 'index.ts')], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env, APOLLO_TELEMETRY_DISABLED: '1', HOST: '127.0.0.1', PORT: String(port), LOG_FORMAT: 'text', DATABASE_URL: database.target.location, MEMBER_PROFILE_FILE: join(dir, 'member-profile.json'), HUB_JWKS_FILE: join(dir, 'keys', 'hub-jwks.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    url = `http://127.0.0.1:${port}`;
    for (let attempt = 0; attempt < 150; attempt += 1) {
      const ready = await fetch(`${url}/readyz`).then((response) => response.ok, () => false);
      if (ready) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`the member did not become ready: ${output.join('')}`);
  }, 60_000);

  afterAll(async () => {
    child?.kill('SIGTERM');
    await new Promise((resolve) => (child?.exitCode !== null ? resolve(null) : child?.once('exit', resolve)));
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes its profile, takes its data from files and passes every probe of member:check', async () => {
    expect(output.join('')).toMatch(/profile of tuni\.fi created from MEMBER_PROFILE_FILE/);
    // The import templates' example, with two of its learners linked to the alliance (so the learner probe runs).
    const data = join(dir, 'data');
    cpSync(join(REPO_ROOT, 'docs', 'import-templates', 'example'), data, { recursive: true });
    const accounts = readFileSync(join(data, 'learner-accounts.csv'), 'utf8').split('\n');
    const linked = accounts.map((line, index) => (index === 1 || index === 2 ? line.replace(/^([^,]*,[^,]*,[^,]*,[^,]*,[^,]*),,/, `$1,${learnerId(900_000 + index)},`) : line));
    writeFileSync(join(data, 'learner-accounts.csv'), linked.join('\n'));
    const imported = await run(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts', 'member-import.ts'), MEMBER, data, '--database', database.target.location], { cwd: REPO_ROOT, env: { ...process.env, APOLLO_TELEMETRY_DISABLED: '1' } });
    expect(imported.stdout).toMatch(/Every file imported/);

    const check = await run(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts', 'member-check.ts'), `${url}/graphql`, '--member', MEMBER, '--hub-keys', join(dir, 'keys')], { cwd: REPO_ROOT, env: { ...process.env, APOLLO_TELEMETRY_DISABLED: '1' } });
    expect(check.stdout).toMatch(/✓ Compatible/);
    expect(check.stdout).not.toMatch(/✗|skipped/);
    expect(check.stdout).toMatch(/✓ refuses a learner reading another learner's records/);
  }, 120_000);

  it("fails member:check when the alliance's keys do not match the member's (a member wired to the wrong hub)", async () => {
    await ensureHubSigner(join(dir, 'other-keys'));
    const failed = await run(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts', 'member-check.ts'), `${url}/graphql`, '--member', MEMBER, '--hub-keys', join(dir, 'other-keys')], { cwd: REPO_ROOT, env: { ...process.env, APOLLO_TELEMETRY_DISABLED: '1' } }).then(
      () => null,
      (error: { code: number; stdout: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stdout).toMatch(/✗|Not compatible|not reachable|refused/);
  }, 60_000);
});

describe('MEMBER_PROFILE_FILE', () => {
  it('refuses a malformed profile with one line naming the file and field, and exit code 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'member-profile-'));
    await ensureHubSigner(join(dir, 'keys'));
    try {
      const cases: [unknown, RegExp][] = [
        [{ name: 'X', country: 'Finland', accreditationAuthority: 'FULL', qaBody: 'Q', qaArrangement: 'A' }, /"country" must be an ISO 3166-1 alpha-2 code/],
        [{ name: 'X', country: 'FI', accreditationAuthority: 'ALL', qaBody: 'Q', qaArrangement: 'A' }, /"accreditationAuthority" must be one of FULL/],
        [{ name: 'X', country: 'FI', accreditationAuthority: 'FULL', qaBody: 'Q', qaArrangement: 'A', colour: 'blue' }, /unknown field\(s\) colour/],
        [{ country: 'FI', accreditationAuthority: 'FULL', qaBody: 'Q', qaArrangement: 'A' }, /"name" is required/],
        ['{ not json', /could not be read as JSON/],
      ];
      for (const [content, message] of cases) {
        const file = join(dir, 'profile.json');
        writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
        const failed = await run(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'subgraphs', 'member', 'index.ts')], {
          cwd: REPO_ROOT,
          env: { ...process.env, APOLLO_TELEMETRY_DISABLED: '1', MEMBER_ID: 'tuni.fi', MEMBER_PROFILE_FILE: file, DATABASE_URL: `sqlite:${join(dir, 'm.sqlite')}`, PORT: '0', HUB_JWKS_FILE: join(dir, 'keys', 'hub-jwks.json'), HUB_JWKS_URL: '' },
        }).then(
          () => null,
          (error: { code: number; stderr: string }) => error,
        );
        expect(failed?.code, String(message)).toBe(2);
        expect(failed?.stderr.trim().split('\n')).toHaveLength(1);
        expect(failed?.stderr).toMatch(message);
        expect(failed?.stderr).not.toMatch(/\n\s+at /);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
