import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/*
 * A mistyped command line gets one line saying what was wrong and exit code
 * 2, never a stack trace (lib/config.ts runMain), whichever script it is.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = (script: string, ...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, APOLLO_TELEMETRY_DISABLED: '1' } });

describe('scripts given a bad command line', () => {
  it.each([
    ['scripts/issuer-keys.ts', ['--bogus'], /^Usage error: Unknown option '--bogus'\. Use --help to see the options\.\n$/],
    ['scripts/bench-issuance.ts', ['--learners'], /^Usage error: Option '--learners <value>' argument missing\. Use --help to see the options\.\n$/],
    ['scripts/bench-attack.ts', ['--rounds', '0'], /^Configuration error: --requests, --attackers, --attack-rate, --rounds and --seconds must be positive integers\.\n$/],
    ['scripts/bench-recommend.ts', ['--cases', '0'], /^Configuration error: --cases must be a whole number from 1 to 100000\.\n$/],
    ['scripts/token.ts', ['--role'], /^Usage error: Option '--role <value>' argument missing\. Use --help to see the options\.\n$/],
    ['scripts/issuer-keys.ts', ['--dir', ''], /^Configuration error: --dir must name a folder/],
  ])('%s %j says what is wrong in one line and exits 2', (script, args, message) => {
    const result = run(script, ...args);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('services given bad configuration', () => {
  it('the analytics service refuses k below the floor of 3, in one line', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'subgraphs/analytics/index.ts'], { cwd: root, encoding: 'utf8', env: { ...process.env, APOLLO_TELEMETRY_DISABLED: '1', ANALYTICS_K: '2' } });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^Configuration error: ANALYTICS_K must be an integer from 3 to 1000; got "2"\.\n$/);
  });
});
