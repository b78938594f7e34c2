import { describe, expect, it } from 'vitest';
import { ConfigError, readBaseUrl } from '../../lib/config.js';

/*
 * Public base URLs (PUBLIC_URL) end up in what the hub signs - every
 * credential's issuer id and status list URLs - so a wrong one is refused at
 * start with what was wrong, not baked into credentials.
 */

describe('readBaseUrl', () => {
  it('takes an http(s) URL, without its trailing slashes, and the fallback when unset', () => {
    expect(readBaseUrl({ PUBLIC_URL: 'https://hub.eciu.eu/' }, 'PUBLIC_URL', 'http://127.0.0.1:4000')).toBe('https://hub.eciu.eu');
    expect(readBaseUrl({ PUBLIC_URL: 'https://eciu.eu/hub//' }, 'PUBLIC_URL', 'x')).toBe('https://eciu.eu/hub');
    expect(readBaseUrl({}, 'PUBLIC_URL', 'http://127.0.0.1:4000')).toBe('http://127.0.0.1:4000');
  });

  it.each([
    ['hub.eciu.eu', /absolute http\(s\) URL/],
    ['ftp://hub.eciu.eu', /without query, fragment or credentials/],
    ['https://hub.eciu.eu/?x=1', /without query/],
    ['https://hub.eciu.eu/#top', /without query, fragment/],
    ['https://admin:secret@hub.eciu.eu', /credentials/],
  ])('refuses %s, saying what it must be', (value, message) => {
    expect(() => readBaseUrl({ PUBLIC_URL: value }, 'PUBLIC_URL', 'x')).toThrow(ConfigError);
    expect(() => readBaseUrl({ PUBLIC_URL: value }, 'PUBLIC_URL', 'x')).toThrow(message);
  });
});
