import type { ErasureCounts, ErasureOptions } from '../../lib/erasure.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import { CredentialOffer, CredentialOfferItem, IdempotencyRecord, IssuedCredential, StatusEvent } from './records.js';

/** Who a revocation on erasure is recorded as: the learners service, acting on the learner's request. */
export const ERASURE_ACTOR = 'urn:eciu:service:learners';
export const ERASURE_REVOCATION_REASON = 'Revoked at the learner’s request when they erased their alliance account.';
/** What an erased learner's credentials name instead of the alliance learner id. */
export const ERASED_LEARNER = 'erased';

/*
 * Erasure of a learner in the issuance service (docs/security.md, "Erasure"):
 * - their wallet offers (which credentials went to which wallet key) and the
 *   Idempotency-Keys they used are deleted;
 * - on request (`revokeCredentials`), every credential issued to them that is
 *   not revoked yet is revoked, recorded as done by the learners service;
 * - the credentials stay, no longer linked to the alliance learner id: they
 *   stay verifiable (the status lists and the issuer's keys do not change),
 *   and the awarding member can still find, confirm and revoke what it
 *   awarded. The sealed copy is the alliance's record of what it certified.
 * Erasing again finds nothing and answers zeros.
 */
export async function eraseLearner(em: SqlEntityManager, learnerId: string, options: ErasureOptions = {}): Promise<ErasureCounts> {
  return em.transactional(async (tx) => {
    const offers = await tx.find(CredentialOffer, { learnerId }, { fields: ['id'] });
    const ids = offers.map((offer) => offer.id);
    const walletOfferItems = ids.length ? await tx.nativeDelete(CredentialOfferItem, { offerId: { $in: ids } }) : 0;
    const walletOffers = ids.length ? await tx.nativeDelete(CredentialOffer, { id: { $in: ids } }) : 0;
    const idempotencyKeys = await tx.nativeDelete(IdempotencyRecord, { subject: learnerId });
    let credentialsRevoked = 0;
    if (options.revokeCredentials) {
      const now = new Date();
      const active = await tx.find(IssuedCredential, { learnerId, revokedAt: null });
      for (const credential of active) {
        Object.assign(credential, { revokedAt: now, revokedBy: ERASURE_ACTOR, revocationReason: ERASURE_REVOCATION_REASON });
        tx.create(StatusEvent, { credentialSerial: credential.serial, action: 'REVOKE', actor: ERASURE_ACTOR, reason: ERASURE_REVOCATION_REASON, at: now } as never);
      }
      credentialsRevoked = active.length;
      await tx.flush();
    }
    await tx.nativeUpdate(IssuedCredential, { learnerId, issuedBy: learnerId }, { issuedBy: ERASED_LEARNER });
    const credentialsUnlinked = await tx.nativeUpdate(IssuedCredential, { learnerId }, { learnerId: ERASED_LEARNER });
    return { walletOffers, walletOfferItems, idempotencyKeys, credentialsRevoked, credentialsUnlinked };
  });
}

/** The serials of a learner's credentials (their status lists are refreshed after an erasure that revoked them). */
export async function credentialSerials(em: SqlEntityManager, learnerId: string): Promise<number[]> {
  return (await em.find(IssuedCredential, { learnerId }, { fields: ['serial'] })).map((row) => row.serial);
}
