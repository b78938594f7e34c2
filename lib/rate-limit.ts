import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

/*
 * Per-caller budgets (requests, a query's cost) over one-minute windows, with
 * rate-limiter-flexible as the counter: in this process's memory
 * (RateLimiterMemory) or in a store the gateway's replicas share
 * (lib/shared-state.ts: RateLimiterPostgres). Both stores count the same way,
 * fixed one-minute windows per key, so a deployment that scales out keeps the
 * limits its single gateway had.
 */

/** A budget of units per minute per key. */
export interface RateLimiter {
  /** Counts one unit; the seconds to wait when over budget, else 0 (nothing counted then). */
  take(key: string): Promise<number>;
  /** The seconds to wait when `key` is over budget, else 0, without counting. */
  peek(key: string): Promise<number>;
  /** Counts `amount` units whether or not that goes over budget (a query's cost once admitted). */
  spend(key: string, amount: number): Promise<void>;
}

/** Whole seconds, at least 1: what a Retry-After header says. */
const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/**
 * The budget `perMinute` counted by `counter` (its `points` must be `perMinute`, its duration 60 s).
 * `storeFailed`: a store that did not answer (not a refusal); the request is let through, as a counter
 * that cannot count must not refuse everyone (the PostgreSQL store's insurance limiter counts meanwhile).
 */
export function budgetOf(counter: RateLimiterAbstract, perMinute: number, storeFailed: (error: unknown) => void = () => undefined): RateLimiter {
  return {
    async take(key) {
      try {
        await counter.consume(key, 1);
        return 0;
      } catch (refusal) {
        if (refusal instanceof RateLimiterRes) return seconds(refusal.msBeforeNext);
        storeFailed(refusal);
        return 0;
      }
    },
    async peek(key) {
      const state = await counter.get(key).catch((error: unknown) => {
        storeFailed(error);
        return null;
      });
      return state && state.consumedPoints >= perMinute ? seconds(state.msBeforeNext) : 0;
    },
    async spend(key, amount) {
      await counter.penalty(key, amount).catch((error: unknown) => storeFailed(error));
    },
  };
}

/** A budget of `perMinute` units per key in this process's memory (`name` keeps budgets apart in a shared counter's keys). */
export function createRateLimiter(perMinute: number, name = 'budget'): RateLimiter {
  return budgetOf(new RateLimiterMemory({ keyPrefix: name, points: perMinute, duration: 60 }), perMinute);
}
