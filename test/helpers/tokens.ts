import type { TokenRequest } from '../../hub/dev-idp.js';
import type { RunningHub } from '../../hub/stack.js';

/** `Authorization` header with a token from the hub's development identity provider. */
export async function bearer(hub: RunningHub, request: TokenRequest): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await hub.idp.issue(request)}` };
}

/** Headers of the learner with this alliance id. */
export function asLearner(hub: RunningHub, learnerId: string): Promise<Record<string, string>> {
  return bearer(hub, { role: 'learner', learnerId });
}
