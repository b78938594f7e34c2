/**
 * A member's silence costs a client request its deadline once, across the router calls the gateway makes for
 * it. A query plan can need a member in two steps (the README pathway query: the catalogue search first, the
 * learner's records once the learner register has answered); with a fresh deadline per call, a member that
 * never answers cost the later call's start plus the whole deadline (issue 17: deadline + 100-380 ms under load).
 * So within one request: a call to a member that has not answered since an earlier call began gets what is left
 * of that call's deadline, and once a call has timed out the member is not asked again. A member that answered
 * gets a whole deadline for its next call, as before: a slow member that answers is not cut short.
 */
export interface MemberDeadlines {
  /** The deadline for a call to `memberId` in the request `requestKey` (0: spent); `end` says how the call ended. */
  begin(requestKey: string, memberId: string, timeoutMs: number): { timeoutMs: number; end(outcome: 'answered' | 'timeout'): void };
}

export function createMemberDeadlines(): MemberDeadlines {
  /** Per request and member: since when the member has not answered (undefined: it has), and whether a call timed out. */
  const state = new Map<string, { silentSince: number | undefined; timedOut: boolean; touched: number }>();
  let swept = performance.now();
  return {
    begin(requestKey, memberId, timeoutMs) {
      const now = performance.now();
      // A request's entries are dropped a while after its last call: bounded by the request rate.
      if (now - swept > 5_000) {
        for (const [key, entry] of state) if (entry.touched < now - 30_000) state.delete(key);
        swept = now;
      }
      const key = `${requestKey} ${memberId}`;
      const entry = state.get(key) ?? { silentSince: undefined, timedOut: false, touched: now };
      state.set(key, entry);
      entry.touched = now;
      if (entry.timedOut) return { timeoutMs: 0, end: () => undefined };
      entry.silentSince ??= now;
      return {
        // Whole milliseconds: AbortSignal.timeout refuses fractions.
        // What has passed, subtracted: (now + 500) - now is 499.99… in floating point, floored to 499.
        timeoutMs: Math.min(timeoutMs, Math.floor(timeoutMs - (now - entry.silentSince))),
        end(outcome) {
          entry.touched = performance.now();
          if (outcome === 'timeout') entry.timedOut = true;
          else entry.silentSince = undefined;
        },
      };
    },
  };
}
