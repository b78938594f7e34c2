import { Worker } from 'node:worker_threads';
import type { CredentialFacts } from './facts.js';
import type { SealWorkerAnswer, SealWorkerRequest } from './seal-worker.js';

/*
 * Bulk issuance writes and seals on every core: writing an EDC credential and
 * sealing it with jose take about 0.6 ms on one core, far more than storing
 * it. The pool splits a batch across its workers and returns the sealed
 * credentials in order. Single credentials are sealed inline (no hand-off).
 */

export interface SealPool {
  readonly size: number;
  /** Writes and seals each credential; rejects if any fails (the batch is then not stored at all). */
  seal(items: readonly CredentialFacts[]): Promise<string[]>;
  close(): Promise<void>;
}

export function createSealPool(size: number, key: { privateKeyPath: string; kid: string }): SealPool {
  const workers = Array.from({ length: size }, () => {
    const worker = new Worker(new URL('./seal-worker.mjs', import.meta.url));
    worker.postMessage({ type: 'init', ...key } satisfies SealWorkerRequest);
    // The pool must not keep the process alive on its own.
    worker.unref();
    return worker;
  });
  const pending = new Map<number, { resolve: (jwts: string[]) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  for (const worker of workers) {
    worker.on('message', (answer: SealWorkerAnswer) => {
      const waiting = pending.get(answer.id);
      if (!waiting) return;
      pending.delete(answer.id);
      if ('error' in answer) waiting.reject(new Error(`sealing failed: ${answer.error}`));
      else waiting.resolve(answer.jwts);
    });
    worker.on('error', (error) => {
      for (const waiting of pending.values()) waiting.reject(error);
      pending.clear();
    });
  }
  const ask = (worker: Worker, items: CredentialFacts[]) =>
    new Promise<string[]>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ type: 'seal', id, items } satisfies SealWorkerRequest);
    });
  return {
    size,
    async seal(items) {
      const share = Math.ceil(items.length / workers.length);
      const parts = await Promise.all(workers.map((worker, index) => ask(worker, items.slice(index * share, (index + 1) * share))));
      return parts.flat();
    },
    async close() {
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}
