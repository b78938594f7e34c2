import { isIP } from 'node:net';
import { ConfigError } from './config.js';

/*
 * Which peers may tell the hub who the client is. Behind a reverse proxy or
 * load balancer every connection comes from the proxy, so anonymous callers
 * (budgeted per address) would all share the proxy's budget; the proxy names
 * the client in X-Forwarded-For. That header is believed only when the
 * connection comes from a trusted proxy, and then only up to the first
 * address that is not trusted, read from the right (what each trusted hop
 * appended): a client cannot buy a fresh budget by sending its own header.
 * Express implements that walk (`trust proxy`, proxy-addr); this module reads
 * and checks the list.
 */

/** Names Express (proxy-addr) accepts for whole ranges. */
const NAMED_RANGES: ReadonlySet<string> = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * Parses a comma-separated list of proxy addresses, CIDR ranges
 * (`10.0.0.0/8`, `fd00::/8`) and the names `loopback`, `linklocal`,
 * `uniquelocal`. Throws ConfigError naming `variable` for anything else.
 * Empty means no proxy is trusted (the peer's own address is the client's).
 */
export function parseTrustedProxies(value: string | undefined, variable = 'TRUSTED_PROXIES'): string[] {
  const entries = (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const entry of entries) {
    if (NAMED_RANGES.has(entry)) continue;
    const [address, prefix, ...rest] = entry.split('/');
    const family = isIP(address ?? '');
    const bits = family === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits);
    if (family === 0 || rest.length > 0 || !prefixOk) {
      throw new ConfigError(
        `${variable} must list proxy addresses or CIDR ranges (e.g. 10.0.0.5, 10.0.0.0/8, fd00::/8) or loopback, linklocal, uniquelocal, separated by commas; "${entry}" is none of these.`,
      );
    }
  }
  return entries;
}

/** The value for Express's `trust proxy` setting: the list, or false (trust no one) when it is empty. */
export function trustProxySetting(trustedProxies: readonly string[] | undefined): string[] | false {
  return trustedProxies && trustedProxies.length > 0 ? [...trustedProxies] : false;
}
