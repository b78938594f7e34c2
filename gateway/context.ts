import type { BaseContext } from '@apollo/server';
import type { Principal } from '../lib/auth.js';

/** What the gateway knows about each request: who is calling and what the client asked to be safe to retry. */
export interface GatewayContext extends BaseContext {
  principal: Principal;
  /** The client's Idempotency-Key header, passed on to subgraphs (issuance uses it to make retries safe). */
  idempotencyKey?: string;
}
