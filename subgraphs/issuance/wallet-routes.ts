import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { SqlEntityManager } from '../../lib/orm.js';
import type { IssuanceService } from './context.js';
import { credentialRequest, deferredRequest, issuerMetadata, newNonce, offerDocument, OID4VCI_ROUTES, serverMetadata, tokenRequest, WalletError } from './oid4vci.js';
import { OID4VP_ROUTES, presentationResponse } from './oid4vp.js';

/*
 * The HTTP routes wallets call (OID4VCI issuance, OID4VP responses). Public:
 * a wallet has no hub account. Answers follow OAuth's error format
 * ({ error, error_description }) and are never cached (tokens, nonces and
 * credentials are in them).
 */

/** Path prefixes of these routes, for the gateway to pass through. The OID4VCI ones carry the wallet's own access token. */
export const WALLET_PUBLIC_PREFIXES = [OID4VCI_ROUTES.issuerMetadata, OID4VCI_ROUTES.serverMetadata, '/oid4vp/'] as const;
export const WALLET_AUTHORIZED_PREFIXES = ['/oid4vci/'] as const;

function answer(response: Response, status: number, body: unknown): void {
  response.setHeader('cache-control', 'no-store');
  response.status(status).json(body);
}

function handle(run: (request: Request, em: SqlEntityManager) => Promise<{ status: number; body: unknown }>, service: IssuanceService) {
  return async (request: Request, response: Response, next: NextFunction) => {
    try {
      const { status, body } = await run(request, service.orm.em.fork() as SqlEntityManager);
      answer(response, status, body);
    } catch (error) {
      if (error instanceof WalletError) {
        if (error.status === 401) response.setHeader('www-authenticate', `Bearer error="${error.error}"`);
        answer(response, error.status, error.body());
        return;
      }
      next(error);
    }
  };
}

export function mountWalletRoutes(app: Express, service: IssuanceService): void {
  const publicUrl = service.issuance.issuer.publicUrl;
  const form = express.urlencoded({ extended: false, limit: '1mb' });
  const json = express.json({ limit: '100kb' });
  const metadata = (document: () => Record<string, unknown>) => (_request: Request, response: Response) => {
    response.setHeader('cache-control', 'public, max-age=300');
    response.json(document());
  };
  app.get(OID4VCI_ROUTES.issuerMetadata, metadata(() => issuerMetadata(publicUrl, service.issuance.issuer.name)));
  app.get(OID4VCI_ROUTES.serverMetadata, metadata(() => serverMetadata(publicUrl)));
  app.get(
    `${OID4VCI_ROUTES.offers}/:id`,
    handle(async (request, em) => {
      const document = await offerDocument(em, publicUrl, String(request.params['id']));
      return document ? { status: 200, body: document } : { status: 404, body: { error: 'not_found', error_description: 'No such offer, or it was used or has expired: make a new one in the portal.' } };
    }, service),
  );
  app.post(OID4VCI_ROUTES.token, form, handle(async (request, em) => ({ status: 200, body: await tokenRequest(em, (request.body ?? {}) as Record<string, unknown>) }), service));
  app.post(OID4VCI_ROUTES.nonce, handle(async (_request, em) => ({ status: 200, body: await newNonce(em) }), service));
  app.post(OID4VCI_ROUTES.credential, json, handle((request, em) => credentialRequest(em, service, publicUrl, request.headers.authorization, request.body), service));
  app.post(OID4VCI_ROUTES.deferred, json, handle((request, em) => deferredRequest(em, service, request.headers.authorization, request.body), service));
  app.post(`${OID4VP_ROUTES.responses}/:id`, form, handle(async (request, em) => ({ status: 200, body: await presentationResponse(em, service, String(request.params['id']), (request.body ?? {}) as Record<string, unknown>) }), service));
}
