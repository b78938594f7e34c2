import type { BaseContext } from '@apollo/server';
import type { Principal } from '../lib/auth.js';
import type { Observation } from '../lib/observe.js';

/** What the gateway knows about each request: who is calling and what the client asked to be safe to retry. */
export interface GatewayContext extends BaseContext {
  principal: Principal;
  /** Whose budgets the request spends (gateway/identify.ts): `user:<subject>` or `ip:<client address>`. */
  caller?: string;
  /** The client's Idempotency-Key header, passed on to subgraphs (issuance uses it to make retries safe). */
  idempotencyKey?: string;
  /** The request's ids and timings (lib/observe.ts), passed on to subgraphs and on its log line. */
  observation?: Observation;
}
