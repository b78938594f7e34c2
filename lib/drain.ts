import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';

/*
 * What a stop does before it closes the listening socket, so that a request a
 * client has already sent is answered, not reset.
 *
 * Closing at once (what Apollo's drain plugin does) loses two kinds of
 * requests: connections still in the kernel's accept queue are reset when the
 * listening socket closes, and connections accepted but not yet read count as
 * idle and are ended. Under load both are common: a busy event loop accepts and
 * reads late (measured: 0–16 of 20 pathway queries sent at once were reset by a
 * SIGTERM 20 ms later; docs/operations.md, Faults).
 *
 * So a stop first drains: `/readyz` turns 503 (a load balancer stops sending
 * new requests), answers say `Connection: close` (keep-alive clients move on),
 * and the server keeps accepting and reading until it has been quiet: no new
 * connection for `quietMs`, and every connection accepted recently has sent
 * its request. The check runs once more after the event loop's poll phase, so
 * connections the kernel holds are accepted before the decision. Only then
 * does the caller close, and the requests in flight are answered as before.
 * `minimumMs` (SHUTDOWN_DELAY_SECONDS) holds the drain open longer for load
 * balancers that poll readiness; `maximumMs` bounds it whatever clients do.
 */

export interface DrainOptions {
  /** The shortest drain (ms): how long `/readyz` says 503 before the close, at least. Default 0. */
  minimumMs?: number;
  /** Quiet for this long (no new connection, none waiting to be read) ends the drain. Default 200. */
  quietMs?: number;
  /** The longest drain, whatever clients do. Default 5,000 (or `minimumMs` if that is longer). */
  maximumMs?: number;
}

export interface Drain {
  /** True from the stop's start: readiness probes answer 503 and answers carry `Connection: close`. */
  readonly draining: boolean;
  /** Starts draining; resolves once the server has been quiet (or the longest drain is over). */
  drain(): Promise<void>;
}

/** A socket open longer than this without a request is a pre-connection or a slow client, not a request in the queue. */
const UNREAD_GRACE_MS = 1_000;

/** Watches `server`'s connections from now on; nothing happens until `drain()` is called. */
export function watchDrain(server: Server, options: DrainOptions = {}): Drain {
  const minimumMs = options.minimumMs ?? 0;
  const quietMs = options.quietMs ?? 200;
  const maximumMs = Math.max(options.maximumMs ?? 5_000, minimumMs);
  let draining = false;
  let lastConnection = 0;
  /** Accepted connections that have not sent their first request yet, with when they were accepted. */
  const unread = new Map<Socket, number>();
  server.on('connection', (socket: Socket) => {
    lastConnection = performance.now();
    unread.set(socket, lastConnection);
    socket.once('close', () => unread.delete(socket));
  });
  // Before the application's own listener, so the header is set before anything is sent.
  server.prependListener('request', (request: IncomingMessage, response) => {
    unread.delete(request.socket);
    // Keep-alive clients open their next request elsewhere (another replica) rather than on a socket about to close.
    if (draining && !response.headersSent) response.setHeader('connection', 'close');
  });

  const quiet = (now: number) => {
    if (now - lastConnection < quietMs) return false;
    for (const accepted of unread.values()) if (now - accepted < UNREAD_GRACE_MS) return false;
    return true;
  };

  return {
    get draining() {
      return draining;
    },
    async drain() {
      if (draining) return;
      draining = true;
      const started = performance.now();
      for (;;) {
        const now = performance.now();
        if (now - started >= maximumMs) return;
        if (now - started >= minimumMs && quiet(now)) {
          // Once more after the poll phase: the connections the kernel still holds are accepted there.
          const seen = lastConnection;
          await nextTurn();
          if (lastConnection === seen && quiet(performance.now())) return;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(25, quietMs)));
      }
    },
  };
}
