import type { SqlEntityManager } from '../../lib/orm.js';
import { CredentialOffer, CredentialOfferItem } from './records.js';

/*
 * Erasure of a learner's data in the issuance service (merge notes: one
 * function per service, wired in by the erasure workstream). What this
 * workstream added that the learner owns: their wallet offers (which
 * credentials they sent to which wallet key, and when). They are deleted.
 * Issued credentials are not touched here: they stay verifiable and are
 * revoked on request, as the erasure design says; presentation requests
 * belong to the verifiers that made them.
 */
export async function eraseLearner(em: SqlEntityManager, learnerId: string): Promise<{ erased: number; anonymised: number }> {
  return em.transactional(async (tx) => {
    const offers = await tx.find(CredentialOffer, { learnerId }, { fields: ['id'] });
    const ids = offers.map((offer) => offer.id);
    const items = ids.length ? await tx.nativeDelete(CredentialOfferItem, { offerId: { $in: ids } }) : 0;
    const erased = ids.length ? await tx.nativeDelete(CredentialOffer, { id: { $in: ids } }) : 0;
    return { erased: erased + items, anonymised: 0 };
  });
}
