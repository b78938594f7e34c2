import { afterEach, describe, expect, it } from 'vitest';
import { createWorkerPool, type WorkerPool } from '../../lib/worker-pool.js';
import type { ProbeRequest } from '../helpers/probe-worker.js';

/*
 * The worker pool behind sealing and verification: answers go to the request
 * that asked, work spreads over the workers, and a worker that fails or dies
 * takes only its own requests with it - nothing waits forever.
 */

type Probe = WorkerPool<ProbeRequest, { text: string; thread: number }>;
const pools: Probe[] = [];
const probePool = (size: number): Probe => {
  const pool = createWorkerPool<{ greeting: string }, ProbeRequest, { text: string; thread: number }>(size, new URL('../helpers/probe-worker.ts', import.meta.url), { greeting: 'hello' });
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

  it('fails the requests of a worker that exits, sends the rest to the others, and says when none is left', async () => {
    const pool = probePool(2);
    await expect(pool.run({ kind: 'exit', code: 3 })).rejects.toThrow(/exited \(code 3\)/);
    expect(pool.alive).toBe(1);
    await expect(pool.run({ kind: 'echo', value: 'still here' })).resolves.toMatchObject({ text: 'hello still here' });
    await expect(pool.run({ kind: 'exit', code: 0 })).rejects.toThrow(/exited/);
    expect(pool.alive).toBe(0);
    await expect(pool.run({ kind: 'echo', value: 'anyone?' })).rejects.toThrow(/No worker thread/);
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
});
