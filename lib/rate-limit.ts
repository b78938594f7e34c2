/**
 * A per-caller request budget over a sliding minute (two fixed windows
 * weighted, as most API gateways do): cheap, in memory, per process. Enough to
 * stop one caller from starving the others on a single gateway; a fleet of
 * gateways would share the counts in Redis instead.
 */
export interface RateLimiter {
  /** Counts a request; returns the seconds to wait when over budget, else 0. */
  take(key: string, now?: number): number;
  /** The seconds to wait when `key` is over budget, else 0, without counting anything. */
  peek(key: string, now?: number): number;
  /** Counts `amount` units (e.g. a query's cost) against `key`, whether or not that goes over budget. */
  spend(key: string, amount: number, now?: number): void;
}

/** A budget of `perMinute` units per key (requests, or a cost with `spend`). */
export function createRateLimiter(perMinute: number): RateLimiter {
  const windows = new Map<string, { start: number; current: number; previous: number }>();
  let lastSweep = 0;
  /** The key's window moved to the minute of `now` (not stored), and the seconds to wait if it is full. */
  const check = (key: string, now: number) => {
    const windowStart = now - (now % 60_000);
    if (now - lastSweep > 60_000) {
      // Forget callers idle for two windows so the map stays small.
      for (const [k, w] of windows) if (w.start < windowStart - 60_000) windows.delete(k);
      lastSweep = now;
    }
    let window = windows.get(key);
    if (!window || window.start < windowStart - 60_000) {
      window = { start: windowStart, current: 0, previous: 0 };
    } else if (window.start < windowStart) {
      window = { start: windowStart, current: 0, previous: window.current };
    }
    const elapsed = (now - windowStart) / 60_000;
    const estimate = window.previous * (1 - elapsed) + window.current;
    return { window, wait: estimate >= perMinute ? Math.max(1, Math.ceil((1 - elapsed) * 60)) : 0 };
  };
  return {
    take(key, now = Date.now()) {
      const { window, wait } = check(key, now);
      windows.set(key, window);
      if (wait > 0) return wait;
      window.current += 1;
      return 0;
    },
    peek(key, now = Date.now()) {
      return check(key, now).wait;
    },
    spend(key, amount, now = Date.now()) {
      const { window } = check(key, now);
      windows.set(key, window);
      window.current += amount;
    },
  };
}
