import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { memorySharedState, type SharedState } from '../lib/shared-state.js';

/*
 * Cost-aware admission (issue 10 fix 3). The request rate limit counts
 * requests, not what they cost: one anonymous caller keeping eight heavy
 * (10,000-object) queries in flight, well inside its request budget, made
 * everyone else's answers 28 times slower. So every operation, once its cost
 * is known (the result-size estimate, lib/result-size.ts: the hub's one cost
 * model), passes three gates before anything runs:
 *
 * 1. the caller's cost budget per minute (one-minute windows, like the
 *    request budget: lib/rate-limit.ts): an operation is refused while the
 *    caller's spending in the current window is at or above it;
 * 2. the caller's in-flight cost: the operations it has running or waiting
 *    may together cost at most `maxInFlightCost` (one operation is always
 *    admitted when the caller has nothing running, whatever it costs within
 *    the per-query limit);
 * 3. a global limit on operations running at once; over it operations wait,
 *    and freed slots go round-robin to the callers that are waiting, so a
 *    caller with many operations queued cannot starve one with a single one.
 *
 * A caller is what the gateway identified (gateway/identify.ts): the token's
 * subject, or the client's address when anonymous. Refusals are HTTP 429
 * `RATE_LIMITED` with Retry-After; an operation that waited too long for a
 * slot is HTTP 503 `SERVICE_UNAVAILABLE` with Retry-After. In memory, per
 * gateway process.
 */

export interface AdmissionOptions {
  /** Query cost (estimated objects) one caller may spend per minute; 0: no budget. */
  costPerMinute: number;
  /** Most cost one caller may have running or waiting at once; 0: no cap. */
  maxInFlightCost: number;
  /** Operations running at once over all callers; 0: no limit. */
  maxConcurrent: number;
  /** Most operations one caller may have waiting for a slot; more are refused. */
  maxQueuedPerCaller: number;
  /** How long an operation may wait for a slot, in milliseconds. */
  queueTimeoutMs: number;
}

/**
 * The pathway query costs 272 and a catalogue page 21 to 101: 200,000 a
 * minute is some 700 pathway queries, beyond the request budget (600), but
 * only about 19 of the heaviest admitted queries (10,300 objects each).
 * 20,000 in flight is one query at the per-query limit.
 */
export const DEFAULT_ADMISSION: Readonly<AdmissionOptions> = {
  costPerMinute: 200_000,
  maxInFlightCost: 20_000,
  maxConcurrent: 32,
  maxQueuedPerCaller: 16,
  queueTimeoutMs: 10_000,
};

/** Admission turned off (every gate open): for measurements and tests that need it. */
export const NO_ADMISSION: Readonly<AdmissionOptions> = { costPerMinute: 0, maxInFlightCost: 0, maxConcurrent: 0, maxQueuedPerCaller: 0, queueTimeoutMs: 0 };

export interface AdmissionStats {
  running: number;
  waiting: number;
  /** Callers with something running or waiting. */
  callers: number;
}

export interface Admission {
  /**
   * Admits an operation of `cost` for `caller`, waiting for a slot when the
   * hub is at its limit. Resolves to the function that frees the slot (call
   * it once the answer is sent; calling it again does nothing), or throws
   * the GraphQL error to answer with.
   */
  admit(caller: string, cost: number): Promise<() => void>;
  stats(): AdmissionStats;
}

function refusal(message: string, code: 'RATE_LIMITED' | 'SERVICE_UNAVAILABLE', status: number, retryAfterSeconds: number): GraphQLError {
  // Apollo Server reads `http.headers` as a HeaderMap; typed loosely because graphql-yoga (in the Hive Gateway
  // deployment) augments GraphQLErrorExtensions with its own `http` shape, a plain record.
  const extensions: Record<string, unknown> = { code, http: { status, headers: new HeaderMap([['retry-after', String(retryAfterSeconds)]]) } };
  return new GraphQLError(message, { extensions });
}

const format = (n: number) => n.toLocaleString('en-US');

interface Waiter {
  start(): void;
  timer: NodeJS.Timeout | undefined;
}

interface CallerState {
  /** Cost of the caller's operations running or waiting. */
  inFlight: number;
  waiting: Waiter[];
}

/** `shared`: where cost budgets are counted, shared by the gateway's replicas (lib/shared-state.ts); default this process. */
export function createAdmission(options: AdmissionOptions, shared: SharedState = memorySharedState()): Admission {
  // Budgets are shared across replicas; slots and queues are this replica's own (they protect its own event loop).
  const budget = options.costPerMinute > 0 ? shared.limiter('cost', options.costPerMinute) : undefined;
  const callers = new Map<string, CallerState>();
  /** Callers with operations waiting, in the order they are served. */
  const ring: string[] = [];
  let running = 0;
  let waiting = 0;

  const stateOf = (caller: string): CallerState => {
    let state = callers.get(caller);
    if (!state) {
      state = { inFlight: 0, waiting: [] };
      callers.set(caller, state);
    }
    return state;
  };
  const forget = (caller: string, state: CallerState) => {
    if (state.inFlight <= 0 && state.waiting.length === 0) callers.delete(caller);
  };
  const hasSlot = () => options.maxConcurrent <= 0 || running < options.maxConcurrent;

  /** Hands free slots to waiting callers, one operation per caller in turn. */
  const dispatch = () => {
    while (hasSlot() && ring.length > 0) {
      const caller = ring.shift() as string;
      const state = callers.get(caller);
      const next = state?.waiting.shift();
      if (!state || !next) continue;
      if (state.waiting.length > 0) ring.push(caller);
      waiting -= 1;
      next.start();
    }
  };

  return {
    async admit(caller, cost) {
      const state = stateOf(caller);
      if (budget) {
        const wait = await budget.peek(caller);
        if (wait > 0) {
          forget(caller, state);
          throw refusal(`Too much asked for this minute: queries from this caller may return up to ${format(options.costPerMinute)} objects a minute; try again in ${wait} s.`, 'RATE_LIMITED', 429, wait);
        }
      }
      if (options.maxInFlightCost > 0 && state.inFlight > 0 && state.inFlight + cost > options.maxInFlightCost) {
        throw refusal(
          `Too much at once: this caller's queries already running could return ${format(state.inFlight)} objects (limit ${format(options.maxInFlightCost)} at a time); wait for their answers.`,
          'RATE_LIMITED',
          429,
          1,
        );
      }
      if (!hasSlot() || ring.length > 0) {
        if (state.waiting.length >= options.maxQueuedPerCaller) {
          forget(caller, state);
          throw refusal(`Too many queries waiting: this caller has ${state.waiting.length} waiting for the busy hub; wait for their answers.`, 'RATE_LIMITED', 429, 1);
        }
      }
      // Not awaited: the query's start does not wait for the counter (a shared store may take a round trip).
      void budget?.spend(caller, cost);
      state.inFlight += cost;
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        running -= 1;
        state.inFlight -= cost;
        forget(caller, state);
        dispatch();
      };
      if (hasSlot() && ring.length === 0) {
        running += 1;
        return release;
      }
      return new Promise<() => void>((resolve, reject) => {
        const waiter: Waiter = {
          timer: undefined,
          start: () => {
            clearTimeout(waiter.timer);
            running += 1;
            resolve(release);
          },
        };
        waiter.timer = setTimeout(() => {
          const index = state.waiting.indexOf(waiter);
          if (index < 0) return;
          state.waiting.splice(index, 1);
          waiting -= 1;
          state.inFlight -= cost;
          const queued = ring.indexOf(caller);
          if (state.waiting.length === 0 && queued >= 0) ring.splice(queued, 1);
          forget(caller, state);
          reject(refusal('The hub is too busy to start this query now; try again shortly.', 'SERVICE_UNAVAILABLE', 503, 1));
        }, options.queueTimeoutMs);
        waiter.timer.unref();
        state.waiting.push(waiter);
        waiting += 1;
        if (state.waiting.length === 1) ring.push(caller);
      });
    },
    stats() {
      return { running, waiting, callers: callers.size };
    },
  };
}
