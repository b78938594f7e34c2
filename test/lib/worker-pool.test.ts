import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createWorkerPool, type WorkerPool, type WorkerPoolOptions } from '../../lib/worker-pool.js';
import type { ProbeRequest } from '../helpers/probe-worker.js';

/*
 * The worker pool behind sealing and verification (on piscina): answers go
 * to the request that asked, work spreads over the workers, and a worker that
 * fails or dies takes only its own requests with it - nothing waits forever.
 * A stateless worker that dies is replaced; a stateful one (the member
 * thread) is not, and its pool says why.
 */

type Probe = WorkerPool<ProbeRequest, { text: string; thread: number }>;
const pools: Probe[] = [];
const probePool = (size: number, options: WorkerPoolOptions = {}): Probe => {
  const pool = createWorkerPool<{ greeting: string }, ProbeRequest, { text: string; thread: number }>(size, new URL('../helpers/probe-worker.ts', import.meta.url), { greeting: 'hello' }, options);
  pools.push(pool);
  return pool;
};

afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
});

describe('a worker pool', () => {
  it('answers each request with its own answer, spread over the workers', async () => {
    const pool = probePool(2);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, index) => pool.run({ kind: 'echo', value: String(index) })));
    expect(answers.map((answer) => answer.text)).toEqual(Array.from({ length: 20 }, (_, index) => `hello ${index}`));
    expect(new Set(answers.map((answer) => answer.thread)).size).toBe(2);
  });

  it('rejects a request its handler refuses, with the reason, and carries on', async () => {
    const pool = probePool(1);
    await expect(pool.run({ kind: 'refuse', value: 'this' })).rejects.toThrow('refused this');
    await expect(pool.run({ kind: 'echo', value: 'again' })).resolves.toMatchObject({ text: 'hello again' });
  });

  it('fails the requests of a worker that exits, tells of it, and puts a fresh one, set up the same, in its place', async () => {
    const onExit = vi.fn();
    const pool = probePool(2, { onExit });
    const before = new Set((await Promise.all(Array.from({ length: 4 }, () => pool.run({ kind: 'echo', value: 'before' })))).map((answer) => answer.thread));
    await expect(pool.run({ kind: 'exit', code: 3 })).rejects.toThrow(/exited with code: 3/);
    await vi.waitFor(() => expect(onExit).toHaveBeenCalledWith(expect.objectContaining({ message: expect.stringMatching(/exited \(code 3\)/) })));
    expect(pool.alive).toBe(2);
    const after = await Promise.all(Array.from({ length: 20 }, (_, index) => pool.run({ kind: 'echo', value: String(index) })));
    expect(after.map((answer) => answer.text)).toEqual(Array.from({ length: 20 }, (_, index) => `hello ${index}`));
    const threads = new Set(after.map((answer) => answer.thread));
    expect(threads.size).toBe(2);
    expect([...threads].filter((thread) => !before.has(thread))).toHaveLength(1);
  });

  it('never replaces the worker of a stateful pool: it says why it stopped, and so does every later request', async () => {
    const onExit = vi.fn();
    const pool = probePool(1, { stateful: true, onExit });
    await expect(pool.run({ kind: 'crash', value: 'between requests' })).resolves.toMatchObject({ text: 'crashing soon' });
    await vi.waitFor(() => expect(onExit).toHaveBeenCalledWith(expect.objectContaining({ message: 'crashed between requests' })));
    expect(onExit).toHaveBeenCalledOnce();
    expect(pool.alive).toBe(0);
    await expect(pool.run({ kind: 'echo', value: 'anyone?' })).rejects.toThrow('crashed between requests');
  });

  it('fails the request a stateful worker died in, and the pool with it', async () => {
    const onExit = vi.fn();
    const pool = probePool(1, { stateful: true, onExit });
    await expect(pool.run({ kind: 'exit', code: 0 })).rejects.toThrow(/exited/);
    await vi.waitFor(() => expect(onExit).toHaveBeenCalledOnce());
    expect(pool.alive).toBe(0);
    await expect(pool.run({ kind: 'echo', value: 'anyone?' })).rejects.toThrow(/exited \(code 0\)/);
  });

  it('fails every request of a worker it cannot set up, with the reason (a Node error keeps its message)', async () => {
    const pool = createWorkerPool<unknown, string, string>(1, new URL('../helpers/no-such-worker.ts', import.meta.url), {});
    pools.push(pool as unknown as Probe);
    await expect(pool.run('first')).rejects.toThrow(/Cannot find module .*no-such-worker\.ts/);
    await expect(pool.run('second')).rejects.toThrow(/Cannot find module/);
    expect(pool.alive).toBe(1);
  });

  it('rejects what is waiting when closed, and everything after', async () => {
    const pool = probePool(1);
    const waiting = expect(pool.run({ kind: 'echo', value: 'late' })).rejects.toThrow(/closed/);
    await pool.close();
    await waiting;
    await expect(pool.run({ kind: 'echo', value: 'later' })).rejects.toThrow(/closed/);
  });

  it('refuses a request that cannot be copied to a worker, without counting it as waiting', async () => {
    const pool = probePool(1);
    await expect(pool.run({ kind: 'echo', value: (() => 'a function') as unknown as string })).rejects.toThrow(/could not be cloned/);
    await expect(pool.run({ kind: 'echo', value: 'fine' })).resolves.toMatchObject({ text: 'hello fine' });
  });

  it('never keeps a process alive on its own: one that used a pool and did not close it exits when done', () => {
    const script = [
      `import { createWorkerPool } from ${JSON.stringify(new URL('../../lib/worker-pool.ts', import.meta.url).href)};`,
      `const pool = createWorkerPool(2, new URL(${JSON.stringify(new URL('../helpers/probe-worker.ts', import.meta.url).href)}), { greeting: 'bye' });`,
      `console.log((await pool.run({ kind: 'echo', value: 'now' })).text);`,
    ].join('\n');
    // A file, not --eval: --input-type does not go with --import tsx.
    const folder = mkdtempSync(join(tmpdir(), 'worker-pool-'));
    const file = join(folder, 'uses-a-pool.mts');
    writeFileSync(file, script);
    // From the repository, where --import finds tsx.
    const child = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: fileURLToPath(new URL('../..', import.meta.url)), encoding: 'utf8', timeout: 30_000 });
    rmSync(folder, { recursive: true, force: true });
    expect(child.error).toBeUndefined();
    expect(child.stdout.trim()).toBe('bye now');
    expect(child.status).toBe(0);
  });
});
