import type { JWK } from 'jose';
import { createWorkerPool } from '../../lib/worker-pool.js';
import type { AwardClaim } from './authority.js';
import type { CredentialValidation } from './schemas.js';
import type { SignatureCheck } from './seal.js';

/*
 * Verification for anyone is public and CPU-bound: decoding a 20 KB
 * credential, checking its ECDSA signature and validating it against two JSON
 * Schemas take over half a millisecond, all of it on the event loop. The pool
 * runs those steps on worker threads, each request on the least busy one, so
 * verification uses every core and the service keeps answering everything
 * else meanwhile. When the pool fails, verify.ts does the same checks inline.
 */

export interface VerifyWorkerInit {
  /** The alliance's public keys (the published key set). */
  jwks: JWK[];
  /** Folder of the published schemas, when not the default. */
  schemasDir?: string;
}

/**
 * What a worker found: the signature check (its credential cut down to the
 * parts the remaining checks read, see checkedParts), and the schema check
 * when the signature holds.
 */
export interface CompactCheck {
  signature: SignatureCheck;
  schema: CredentialValidation | null;
  /** The claims the authority check reads, taken from the whole credential (null: read them from `signature.credential`). */
  awards: AwardClaim[] | null;
}

export interface VerifyPool {
  readonly size: number;
  check(jwt: string): Promise<CompactCheck>;
  close(): Promise<void>;
}

export function createVerifyPool(size: number, init: VerifyWorkerInit): VerifyPool {
  const pool = createWorkerPool<VerifyWorkerInit, string, CompactCheck>(size, new URL('./verify-worker.ts', import.meta.url), init);
  return { size, check: (jwt) => pool.run(jwt), close: () => pool.close() };
}
