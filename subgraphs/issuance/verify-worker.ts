import type { WorkerSetup } from '../../lib/worker-pool.js';
import { awardClaims } from './authority.js';
import { importIssuerPublicKey } from './keys.js';
import { createVerificationValidator } from './schemas.js';
import { checkSignature } from './seal.js';
import { checkedParts } from './verify.js';
import type { CompactCheck, VerifyWorkerInit } from './verify-pool.js';
import type { CryptoKey } from 'jose';

/*
 * A verifying worker: the parts of verifying a vc+jwt that only need the
 * credential and public keys (decoding, the signature, both JSON Schemas) on
 * another core. What changes while the service runs (the register of trusted
 * issuers, the status lists) stays with the main thread.
 */

export const setup: WorkerSetup<VerifyWorkerInit, string, CompactCheck> = async (init) => {
  const keys = new Map<string, CryptoKey>();
  for (const jwk of init.jwks) if (typeof jwk.kid === 'string') keys.set(jwk.kid, await importIssuerPublicKey(jwk));
  const validator = createVerificationValidator(init.schemasDir);
  // Compiling the schemas takes a while: here, before the first credential waits for it.
  validator.prepare();
  return async (jwt) => {
    const signature = await checkSignature(jwt, async (kid) => keys.get(kid));
    if (!signature.valid) return { signature: signature.credential ? { ...signature, credential: checkedParts(signature.credential) } : signature, schema: null, awards: null };
    return { signature: { ...signature, credential: checkedParts(signature.credential) }, schema: validator.validate(signature.credential), awards: awardClaims(signature.credential) };
  };
};
