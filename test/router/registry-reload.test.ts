import type { MikroORM } from '@mikro-orm/core';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberProfile } from '../../hub/alliance.js';
import { seedDemo } from '../../hub/seed.js';
import { ANONYMOUS } from '../../lib/auth.js';
import { ensureHubSigner, localHubVerifier, type HubSigner } from '../../lib/hub-token.js';
import { createLogger, quietLogger } from '../../lib/log.js';
import { REPO_ROOT } from '../../lib/paths.js';
import type { RunningServer } from '../../lib/server.js';
import { openMemberDatabase } from '../../subgraphs/member/database.js';
import { startMemberServer } from '../../subgraphs/member/server.js';
import { startMemberRouter, type RunningMemberRouter } from '../../subgraphs/members/server.js';
import { temporaryDatabase } from '../helpers/databases.js';

/*
 * Adding and removing a member without restarting the hub: the router
 * reloads MEMBER_REGISTRY when the file changes and on SIGHUP, applies a
 * valid file to new requests only, and keeps its members when the file is
 * not a valid registry.
 */

const MEMBERS = ['tuni.fi', 'dcu.ie', 'utwente.nl'];
const WAIT_MS = 5_000;

let signer: HubSigner;
const members = new Map<string, RunningServer>();
const orms: MikroORM[] = [];
const drops: (() => Promise<void>)[] = [];
let folder: string;

const entry = (id: string) => ({ id, name: memberProfile(id)?.name, endpoint: members.get(id)?.url });
/** Writes the registry file in place (truncate and write, as `>` or most editors do). */
const writeRegistry = (path: string, ids: string[]) => writeFileSync(path, JSON.stringify({ members: ids.map(entry) }, null, 2));

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = WAIT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The institutions the router fans out to, asked as the gateway asks (a hub token for "members"). */
async function institutionIds(router: RunningServer, operation = 'Institutions'): Promise<string[]> {
  const response = await fetch(router.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await signer.sign(ANONYMOUS, 'members')}` },
    body: JSON.stringify({ query: `query ${operation} { institutions { id } }` }),
  });
  const body = (await response.json()) as { data?: { institutions: { id: string }[] | null }; errors?: unknown[] };
  expect(body.errors).toBeUndefined();
  return (body.data?.institutions ?? []).map((institution) => institution.id).sort();
}

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'hub-registry-'));
  signer = await ensureHubSigner(join(folder, 'keys'));
  await Promise.all(
    MEMBERS.map(async (id) => {
      const database = await temporaryDatabase('sqlite');
      drops.push(database.drop);
      const orm = await openMemberDatabase(database.target);
      orms.push(orm);
      await seedDemo({ members: new Map([[id, { orm, profile: memberProfile(id) as never }]]) }, { learners: 0 });
      members.set(id, await startMemberServer({ memberId: id, orm, databaseKind: 'sqlite', logger: quietLogger(), hubAuth: localHubVerifier(signer.jwks) }));
    }),
  );
});
afterAll(async () => {
  for (const member of members.values()) await member.stop();
  for (const orm of orms) await orm.close();
  for (const drop of drops) await drop();
});

describe('reloading the member registry in a running router', () => {
  let router: RunningMemberRouter;
  const lines: string[] = [];
  let path: string;
  /** The request named Held: whether it has started (its registry taken), and how to let it go on. */
  const held = { started: false, release: () => {} };

  beforeAll(async () => {
    path = join(mkdtempSync(join(folder, 'watched-')), 'members.json');
    writeRegistry(path, MEMBERS.slice(0, 2));
    router = await startMemberRouter({
      registryFile: path,
      // The registry's own lines only: each request's line (lib/observe.ts) would come between them.
      logger: createLogger({ name: 'members', write: (line) => void (line.startsWith('[members] request ') || lines.push(line)) }),
      hubAuth: localHubVerifier(signer.jwks),
      signer,
      plugins: [
        {
          // An operation named Held waits after its context (and registry) was taken, until released.
          async requestDidStart({ request }) {
            if (!request.query?.startsWith('query Held')) return;
            held.started = true;
            await new Promise<void>((resolve) => (held.release = resolve));
          },
        },
      ],
    });
  });
  afterAll(async () => {
    await router?.stop();
  });

  it('fans out to a member added to the file, within seconds and without a restart', async () => {
    expect(await institutionIds(router)).toEqual(['dcu.ie', 'tuni.fi']);
    writeRegistry(path, MEMBERS);
    expect(await until(() => institutionIds(router), (ids) => ids.length === 3)).toEqual(['dcu.ie', 'tuni.fi', 'utwente.nl']);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^\\[members\\] member registry ${path} reloaded \\(file changed\\): added utwente\\.nl; routing to 3 members$`)));
  });

  it('keeps the members it has when the file is not a valid registry, and says so in one line', async () => {
    const before = lines.length;
    writeFileSync(path, '{ "members": [ { "id": "tuni.fi", ');
    await until(async () => lines.length, (count) => count > before);
    // Another save of the same broken text is not worth another line.
    writeFileSync(path, '{ "members": [ { "id": "tuni.fi", ');
    await new Promise((resolve) => setTimeout(resolve, 400));
    const logged = lines.slice(before);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(new RegExp(`^\\[members\\] WARN member registry ${path} not reloaded \\(file changed\\), still routing to the 3 members loaded before: is not valid JSON \\(.+\\)\\.$`));
    expect(await institutionIds(router)).toEqual(['dcu.ie', 'tuni.fi', 'utwente.nl']);

    // Valid JSON, not a valid registry: the line names the member and the field.
    writeFileSync(path, JSON.stringify({ members: [...MEMBERS.map(entry), { id: 'aau.dk', name: 'Aalborg University', endpoint: 'ftp://aau.dk/' }] }));
    await until(async () => lines.length, (count) => count > before + 1);
    expect(lines.at(-1)).toContain(`member registry ${path} not reloaded (file changed), still routing to the 3 members loaded before: members[3].endpoint must use http or https.`);
    expect(await institutionIds(router)).toEqual(['dcu.ie', 'tuni.fi', 'utwente.nl']);
  });

  it('drops a removed member, replaced by a rename as deployment tools write files, and lets a request in flight finish with the old registry', async () => {
    writeRegistry(path, MEMBERS);
    await until(async () => lines.at(-1) ?? '', (line) => line.includes('reloaded'));
    const inFlight = institutionIds(router, 'Held');
    // The held request has its registry; now the file loses dcu.ie.
    expect(await until(async () => held.started, Boolean)).toBe(true);
    const next = `${path}.next`;
    writeFileSync(next, JSON.stringify({ members: ['tuni.fi', 'utwente.nl'].map(entry) }));
    renameSync(next, path);
    expect(await until(() => institutionIds(router), (ids) => ids.length === 2)).toEqual(['tuni.fi', 'utwente.nl']);
    expect(lines.at(-1)).toMatch(/reloaded \(file changed\): removed dcu\.ie; routing to 2 members$/);
    held.release();
    expect(await inFlight).toEqual(['dcu.ie', 'tuni.fi', 'utwente.nl']);
  });

  it('answers reloadRegistry() with what changed, or why the file was refused', async () => {
    const moved = { ...entry('tuni.fi'), timeoutMs: 1_500 };
    writeFileSync(path, JSON.stringify({ members: [moved, entry('utwente.nl')] }));
    // Called before the watch's debounce runs out: this call reads the change.
    expect(await router.reloadRegistry()).toEqual({ status: 'reloaded', added: [], removed: [], changed: ['tuni.fi'] });
    expect(router.registry().get('tuni.fi')?.timeoutMs).toBe(1_500);
    expect(await router.reloadRegistry()).toEqual({ status: 'unchanged' });
    writeFileSync(path, JSON.stringify({ members: [] }));
    expect(await router.reloadRegistry()).toEqual({ status: 'invalid', error: '"members" must be a non-empty list.' });
    expect(router.registry().members.map((member) => member.id)).toEqual(['tuni.fi', 'utwente.nl']);
  });
});

describe('npm run members', () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGTERM');
  });

  it('reloads MEMBER_REGISTRY on SIGHUP instead of stopping', async () => {
    const dir = mkdtempSync(join(folder, 'child-'));
    const path = join(dir, 'members.json');
    const unreachable = (id: string) => ({ id, name: memberProfile(id)?.name, endpoint: 'http://127.0.0.1:9/graphql' });
    writeFileSync(path, JSON.stringify({ members: MEMBERS.slice(0, 2).map(unreachable) }));
    const output: string[] = [];
    child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'subgraphs', 'members', 'index.ts')], {
      cwd: REPO_ROOT,
      env: { ...process.env, APOLLO_TELEMETRY_DISABLED: '1', MEMBER_REGISTRY: path, PORT: '0', HOST: '127.0.0.1', HUB_KEYS_DIR: join(dir, 'keys') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk: Buffer) => output.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
    const line = (pattern: RegExp, timeoutMs = 20_000) => until(async () => output.find((text) => pattern.test(text)), (found) => found !== undefined, timeoutMs);
    const serving = await line(/serving http/);
    expect(serving, output.join('\n')).toBeDefined();
    expect(output).toContainEqual(expect.stringContaining(`routing to 2 members: tuni.fi, dcu.ie (registry ${path}, reloaded on change and on SIGHUP)`));
    const base = (serving as string).replace(/.*serving (http:\/\/[^/]+)\/graphql.*/, '$1');

    child.kill('SIGHUP');
    expect(await line(/re-read \(SIGHUP\)/, WAIT_MS)).toBe(`[members] member registry ${path} re-read (SIGHUP): unchanged, 2 members`);

    writeFileSync(path, JSON.stringify({ members: MEMBERS.map(unreachable) }));
    child.kill('SIGHUP');
    // SIGHUP (or the watch, whichever reads the file first) adds the member; the process keeps serving.
    expect(await line(/reloaded \((SIGHUP|file changed)\): added utwente\.nl; routing to 3 members/, WAIT_MS)).toBeDefined();
    const ready = (await (await fetch(`${base}/readyz`)).json()) as { members: string[] };
    expect(ready.members).toEqual(MEMBERS);
    expect(child.exitCode).toBeNull();
  });
});
