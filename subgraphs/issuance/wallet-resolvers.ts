// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { IssuanceContext } from './context.js';
import type { CredentialKind as Kind } from './facts.js';
import {
  CredentialKind,
  CredentialOfferInput,
  CredentialOfferStatus,
  PresentationRequestInput,
  PresentationRequestView,
  PresentationStatus,
  WalletCredentialOffer,
} from './model.js';
import { createOffer, offerStatus, readOffer, type OfferView } from './oid4vci.js';
import { IssuedCredential } from './records.js';
import { createPresentationRequest, readPresentationRequest, type PresentationView } from './oid4vp.js';

/* The portal's side of wallets: offers to the learner's wallet, and verifiers' presentation requests. */

function offerView(view: OfferView): WalletCredentialOffer {
  const status = offerStatus(view.offer, view.items, new Date()) as CredentialOfferStatus;
  return {
    id: view.offer.id,
    offerUri: view.offerUri,
    offerUrl: view.offerUrl,
    qrCodeSvg: view.qrCodeSvg,
    transactionCode: status === CredentialOfferStatus.OFFERED ? (view.offer.txCode ?? null) : null,
    expiresAt: view.offer.expiresAt,
    status,
    credentials: view.items.map((item) => ({
      achievement: { id: item.achievementId },
      kind: item.kind as CredentialKind,
      credentialId: null,
      deferred: item.credentialSerial === null || item.credentialSerial === undefined,
      deliveredAt: item.deliveredAt ?? null,
      holder: item.holder ? (JSON.parse(item.holder) as { did: string }).did : null,
      serial: item.credentialSerial ?? null,
    })),
  };
}

function presentationView(view: PresentationView): PresentationRequestView {
  const { request } = view;
  const expired = request.status === 'PENDING' && request.expiresAt.getTime() <= Date.now();
  return {
    id: request.id,
    requestUri: view.requestUri,
    qrCodeSvg: view.qrCodeSvg,
    clientId: view.clientId,
    nonce: request.nonce,
    dcqlQuery: request.query,
    purpose: request.purpose ?? null,
    expiresAt: request.expiresAt,
    status: (expired ? 'EXPIRED' : request.status) as PresentationStatus,
    result: request.result ?? null,
    resultJwt: request.resultJwt ?? null,
    answeredAt: request.answeredAt ?? null,
    refusedAttempts: request.refusedAttempts,
  };
}

@Resolver()
export class WalletResolver {
  @Mutation(() => WalletCredentialOffer, {
    description:
      'Offers credentials of yours to your wallet (the learner only), by OpenID for Verifiable Credential Issuance: show `qrCodeSvg` (or open `offerUri`) and type `transactionCode` into the wallet within 10 minutes. The wallet receives each credential bound to its own key. Send an Idempotency-Key to make retries safe.',
  })
  async createCredentialOffer(
    @Arg('input', () => CredentialOfferInput) input: CredentialOfferInput,
    @Ctx() context: IssuanceContext,
  ): Promise<WalletCredentialOffer> {
    const view = await createOffer(
      context.em,
      context.service,
      context.service.issuance.issuer.publicUrl,
      context.principal,
      { credentialIds: input.credentialIds ?? [], achievements: (input.achievementIds ?? []).map((achievementId) => ({ achievementId, kind: input.kind as Kind })) },
      context.idempotencyKey,
    );
    return this.withCredentialIds(view, context);
  }

  @Query(() => WalletCredentialOffer, { nullable: true, description: 'A wallet offer of yours, to follow it (the learner who made it).' })
  async credentialOffer(@Arg('id', () => ID) id: string, @Ctx() context: IssuanceContext): Promise<WalletCredentialOffer | null> {
    const view = await readOffer(context.em, context.service.issuance.issuer.publicUrl, context.principal, id);
    return view ? this.withCredentialIds(view, context) : null;
  }

  private async withCredentialIds(view: OfferView, context: IssuanceContext): Promise<WalletCredentialOffer> {
    const result = offerView(view);
    const serials = view.items.flatMap((item) => (item.credentialSerial ? [item.credentialSerial] : []));
    const rows = serials.length ? await context.em.find(IssuedCredential, { serial: { $in: serials } }) : [];
    const ids = new Map(rows.map((row) => [row.serial, row.id]));
    result.credentials = result.credentials.map((item) => {
      const { serial, ...rest } = item as typeof item & { serial: number | null };
      return { ...rest, credentialId: serial ? (ids.get(serial) ?? null) : null };
    });
    return result;
  }

  @Mutation(() => PresentationRequestView, {
    description:
      "Asks a learner's wallet for credentials (a verifier: an organisation with the verifier role), by OpenID for Verifiable Presentations: show `qrCodeSvg` or send `requestUri` to the learner; follow it with `presentationRequest`. The hub checks the presentation (nonce, audience, holder binding) and every credential in it, and keeps the result. Send an Idempotency-Key to make retries safe.",
  })
  async createPresentationRequest(@Arg('input', () => PresentationRequestInput) input: PresentationRequestInput, @Ctx() context: IssuanceContext): Promise<PresentationRequestView> {
    return presentationView(await createPresentationRequest(context.em, context.service.issuance.issuer.publicUrl, context.principal, input, context.idempotencyKey));
  }

  @Query(() => PresentationRequestView, { nullable: true, description: 'A presentation request of yours and its outcome (the verifier that made it).' })
  async presentationRequest(@Arg('id', () => ID) id: string, @Ctx() context: IssuanceContext): Promise<PresentationRequestView | null> {
    const view = await readPresentationRequest(context.em, context.service.issuance.issuer.publicUrl, context.principal, id);
    return view ? presentationView(view) : null;
  }
}
