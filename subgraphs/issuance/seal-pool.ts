import { createWorkerPool } from '../../lib/worker-pool.js';
import type { CredentialFacts } from './facts.js';
import type { SealWorkerInit } from './seal-worker.js';

/*
 * Bulk issuance writes and seals on every core: writing an EDC credential and
 * sealing it with jose take about 1 ms on one core, far more than storing
 * it. The pool splits a batch across its running workers and returns the
 * sealed credentials in order. Single credentials are sealed inline (no
 * hand-off), and so is a batch when the pool fails (issue.ts).
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
      // One share per running worker; each share goes to the least busy one, so shares spread out.
      const shares = Math.max(1, pool.alive);
      const share = Math.ceil(items.length / shares);
      const parts = await Promise.all(Array.from({ length: shares }, (_, index) => pool.run(items.slice(index * share, (index + 1) * share))));
      return parts.flat();
    },
    close: () => pool.close(),
  };
}
