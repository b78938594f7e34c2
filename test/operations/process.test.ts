import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { memberProfile } from '../../hub/alliance.js';
import { REPO_ROOT } from '../../lib/paths.js';

/*
 * Issue 17: how the hub behaves as a process, the way a supervisor, `timeout`
 * or an operator's `kill <pid>` meets it. `npm start` runs as a real child
 * process on free ports with one member and a temporary data folder.
 */

const dirs: string[] = [];
const children: ChildProcess[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hub-process-'));
  dirs.push(dir);
  return dir;
}

function smallHubEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const dir = tempDir();
  const registry = join(dir, 'members.json');
  writeFileSync(registry, JSON.stringify({ members: [{ id: 'tuni.fi', name: memberProfile('tuni.fi')?.name, endpoint: 'http://127.0.0.1:0/graphql' }] }));
  return {
    ...process.env,
    DATA_DIR: join(dir, 'data'),
    DEMO_LEARNERS: '5',
    MEMBER_REGISTRY: registry,
    GATEWAY_PORT: '0',
    MEMBERS_PORT: '0',
    ESCO_PORT: '0',
    LEARNERS_PORT: '0',
    ISSUANCE_PORT: '0',
    RECOGNITION_PORT: '0',
    PASSPORT_PORT: '0',
    ANALYTICS_PORT: '0',
    ...extra,
  };
}

/** `npm start`, resolved with the gateway URL once the hub says it is ready. */
function npmStart(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; gatewayUrl: string }> {
  // Its own process group, so afterEach can clean up whatever a failed test leaves behind.
  const child = spawn('npm', ['start'], { cwd: REPO_ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /Gateway\s+(http:\/\/\S+\/graphql)/.exec(output)?.[1];
      if (url && output.includes('Press Ctrl+C to stop.')) resolve({ child, gatewayUrl: url });
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
  });
}

/** Whether any process of the group still runs. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function gone(pgid: number, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (!groupAlive(pgid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return !groupAlive(pgid);
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}', signal: AbortSignal.timeout(2_000) });
    return response.ok;
  } catch {
    return false;
  }
}

function holdPort(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port })));
}

afterEach(() => {
  for (const child of children.splice(0)) {
    if (child.pid !== undefined && groupAlive(child.pid)) process.kill(-child.pid, 'SIGKILL');
  }
});

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('signals reach the hub whichever PID of npm start receives them', () => {
  it('SIGTERM to npm\'s PID stops the hub and frees its ports', async () => {
    const { child, gatewayUrl } = await npmStart(smallHubEnv());
    expect(await answers(gatewayUrl)).toBe(true);
    process.kill(child.pid as number, 'SIGTERM');
    expect(await gone(child.pid as number, 15_000)).toBe(true);
    expect(await answers(gatewayUrl)).toBe(false);
  }, 120_000);

  it('SIGTERM drains: /readyz turns 503 while the hub still serves, and queries sent just before it are answered', async () => {
    const { child, gatewayUrl } = await npmStart(smallHubEnv({ SHUTDOWN_DELAY_SECONDS: '1' }));
    const readyUrl = gatewayUrl.replace(/\/graphql$/, '/readyz');
    expect((await fetch(readyUrl)).status).toBe(200);
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const query = () =>
      fetch(gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ institutions { id name } }' }) }).then(
        async (response) => ({ status: response.status, body: (await response.json()) as { data?: { institutions?: unknown[] }; errors?: unknown[] } }),
        (error: unknown) => ({ status: 0, body: { errors: [String((error as Error).cause ?? error)] } as { data?: { institutions?: unknown[] }; errors?: unknown[] } }),
      );
    // Sent at once, so most are still in the kernel's queue or unread when the signal arrives: without the drain, those were reset.
    const sent = Array.from({ length: 20 }, query);
    await new Promise((resolve) => setTimeout(resolve, 20));
    process.kill(child.pid as number, 'SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 400));
    // Within SHUTDOWN_DELAY_SECONDS: the load balancer is told to stop sending, and what is still sent is served.
    const probe = await fetch(readyUrl);
    expect(probe.status).toBe(503);
    expect(await probe.json()).toMatchObject({ status: 'not ready', reason: 'the gateway is stopping' });
    const late = await query();
    const answered = await Promise.all(sent);
    expect(answered.map((answer) => answer.status)).toEqual(Array(20).fill(200));
    for (const answer of [...answered, late]) expect(answer.body.data?.institutions).toHaveLength(1);
    expect(await exit).toBe(0);
    expect(await answers(gatewayUrl)).toBe(false);
  }, 120_000);

  it('npm killed outright (SIGKILL, nothing forwarded): the hub notices and stops', async () => {
    const { child, gatewayUrl } = await npmStart(smallHubEnv());
    // The hub polls its parent once a second, then stops each of its services; on a loaded 2-core CI machine that has taken over 15 s.
    process.kill(child.pid as number, 'SIGKILL');
    const stopped = await gone(child.pid as number, 30_000);
    if (!stopped) console.log(spawnSync('ps', ['-eo', 'pid,ppid,pgid,stat,cmd'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.includes(String(child.pid))).join('\n'));
    expect(stopped).toBe(true);
    expect(await answers(gatewayUrl)).toBe(false);
  }, 120_000);
});

describe('bad configuration stops the start with one line and a non-zero exit', () => {
  it('a port in use names the service and the port, with no stack trace', async () => {
    const held = await holdPort();
    try {
      const result = spawnSync('npm', ['start', '--silent'], { cwd: REPO_ROOT, env: smallHubEnv({ ESCO_PORT: String(held.port) }), encoding: 'utf8', timeout: 120_000 });
      expect(result.status).toBe(2);
      // Progress lines of the start may come before it; the error is one line, the last, with no stack.
      const lines = result.stderr.trim().split('\n');
      expect(lines.filter((line) => /error/i.test(line))).toHaveLength(1);
      expect(result.stderr).not.toMatch(/^\s+at /m);
      expect(lines.at(-1)).toBe(
        `Configuration error: the esco subgraph cannot listen on 127.0.0.1:${held.port}: the port is already in use (another program, or the hub already running). Stop it or choose another port (see --help).`,
      );
    } finally {
      held.server.close();
    }
  }, 120_000);

  it('the gateway alone with its port in use', async () => {
    const held = await holdPort();
    try {
      const dir = tempDir();
      const result = spawnSync('npm', ['run', '--silent', 'gateway'], {
        cwd: REPO_ROOT,
        env: { ...process.env, PORT: String(held.port), AUTH_DEV_IDP_DIR: join(dir, 'idp'), HUB_KEYS_DIR: join(dir, 'keys') },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(result.status).toBe(2);
      expect(result.stderr.trim()).toMatch(new RegExp(`^Configuration error: the gateway cannot listen on 127\\.0\\.0\\.1:${held.port}: the port is already in use[^\\n]*$`));
    } finally {
      held.server.close();
    }
  }, 60_000);

  it('an unreachable AUTH_JWKS_URL', () => {
    const dir = tempDir();
    const result = spawnSync('npm', ['run', '--silent', 'gateway'], {
      cwd: REPO_ROOT,
      env: { ...process.env, PORT: '0', AUTH_JWKS_URL: 'http://127.0.0.1:9/jwks.json', AUTH_ISSUER: 'https://idp.example', HUB_KEYS_DIR: join(dir, 'keys') },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toMatch(/^Configuration error: AUTH_JWKS_URL http:\/\/127\.0\.0\.1:9\/jwks\.json: the signing keys cannot be obtained: the key set URL cannot be reached\. [^\n]*$/);
  }, 60_000);
});
