import { createWorkerPool } from '../../lib/worker-pool.js';
import type { CredentialFacts } from './facts.js';
import type { SealWorkerInit } from './seal-worker.js';

/*
 * Bulk issuance writes and seals on every core: writing an EDC credential and
 * sealing it with jose take about 1 ms on one core, far more than storing
 * it. The pool splits a batch across its workers and returns the sealed
 * credentials in order. Single credentials are sealed inline (no hand-off).
 */

export interface SealPool {
  readonly size: number;
  /** Writes and seals each credential; rejects if any fails (the batch is then not stored at all). */
  seal(items: readonly CredentialFacts[]): Promise<string[]>;
  close(): Promise<void>;
}

export function createSealPool(size: number, key: SealWorkerInit): SealPool {
  const pool = createWorkerPool<SealWorkerInit, CredentialFacts[], string[]>(size, new URL('./seal-worker.ts', import.meta.url), key);
  return {
    size,
    async seal(items) {
      const share = Math.ceil(items.length / size);
      const parts = await Promise.all(Array.from({ length: size }, (_, index) => pool.run(items.slice(index * share, (index + 1) * share), index)));
      return parts.flat();
    },
    close: () => pool.close(),
  };
}
