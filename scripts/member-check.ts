import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, runMain } from '../lib/config.js';
import { ANONYMOUS } from '../lib/auth.js';
import { createHttpClient } from '../lib/http-client.js';
import { hubKeyFiles, hubSignerFromFiles } from '../lib/hub-token.js';
import { isMemberId } from '../lib/ids.js';
import { REPO_ROOT } from '../lib/paths.js';
import { checkMemberEndpoint, contractVersionOf } from '../subgraphs/members/contract-check.js';
import { probeMemberBehaviour, probeTokensFromKeyFiles, smallestShownOf, type ProbeResult, type ProbeTokens } from '../subgraphs/members/probes.js';
import { MEMBER_CONTRACT_PATH } from '../subgraphs/members/schema.js';

const HELP = `Usage: npm run member:check -- <url> --member <id> [--hub-keys <dir>] [--contract <file>] [--timeout <ms>]

Checks a running member subgraph (e.g. one a university hosts itself) before
it joins the registry, in two parts; each line says ✓, ✗ or – (skipped):

Schema: against the member contract in schema/member-contract.graphql: every
type, field and argument the hub relies on, the entity keys, the contract
version, and the id and cursor conventions the router depends on.

Behaviour: what the member refuses, probed with live calls:
  1. calls without a hub token, with a token signed by a key that is not the
     hub's, with an expired token, and with a token for another audience
     (another member's id, the router's "members"): each must get HTTP 401;
  2. a learner reading another learner's records: as the member's staff the
     check lists learner accounts, then as learner A asks for learner B's
     account and achievement, which must be refused (null, FORBIDDEN);
     skipped while the member has fewer than two learners;
  3. small counts: as an analyst it reads the uptake of the member and of the
     first 100 offerings; no count from 1 to k-1 may be published (k from the
     contract's Uptake type, 10 today).

Members answer only calls the hub signed: the check signs as the hub, for
--member <id>, with the hub signing key in --hub-keys (default data/keys, as
npm start creates it; in a deployment, the HUB_KEYS_DIR of the gateway).
Without --member only the schema and the unsigned call are checked, and the
check fails.

Each ✗ line is followed by what to fix. Exit status: 0 compatible (skipped
probes allowed), 1 a problem, a failed probe or unreachable, 2 usage error.
`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: {
      contract: { type: 'string' },
      timeout: { type: 'string', default: '10000' },
      member: { type: 'string' },
      'hub-keys': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    allowPositionals: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const url = positionals[0];
  if (!url) throw new ConfigError(`give the member endpoint URL.\n\n${HELP}`);
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error();
  } catch {
    throw new ConfigError(`"${url}" is not an http(s) URL.`);
  }
  const timeout = Number(values.timeout);
  if (!Number.isInteger(timeout) || timeout < 100) throw new ConfigError('--timeout must be a number of milliseconds (at least 100).');
  const contractText = readFileSync(values.contract ?? MEMBER_CONTRACT_PATH, 'utf8');
  const smallestShown = smallestShownOf(contractText);
  if (smallestShown === undefined) throw new ConfigError("the contract's Uptake type does not say which counts are withheld (\"Counts from 1 to … are withheld\").");
  let authorization: (() => Promise<string>) | undefined;
  let tokens: ProbeTokens | undefined;
  let keys: string | undefined;
  if (values.member) {
    if (!isMemberId(values.member)) throw new ConfigError('--member must be a member id such as tuni.fi.');
    keys = resolve(REPO_ROOT, values['hub-keys'] ?? join('data', 'keys'));
    if (!existsSync(hubKeyFiles(keys).privatePath)) throw new ConfigError(`--hub-keys: no hub key in ${keys}.`);
    const signer = await hubSignerFromFiles(hubKeyFiles(keys));
    const member = values.member;
    authorization = async () => `Bearer ${await signer.sign(ANONYMOUS, member)}`;
    tokens = await probeTokensFromKeyFiles(hubKeyFiles(keys), member);
  }
  const client = createHttpClient();
  const say = (line: string) => process.stdout.write(`${line}\n`);
  try {
    say(`Checking ${url} against member contract ${contractVersionOf(contractText) ?? '(unversioned)'}…`);
    const report = await checkMemberEndpoint(client, url, contractText, { timeoutMs: timeout, ...(authorization ? { authorization } : {}) });
    if (report.memberId) say(`Member: ${report.memberId}, contract version ${report.version ?? 'unknown'}`);
    say('Schema:');
    for (const warning of report.warnings) say(`  warning: ${warning}`);
    for (const problem of report.problems) say(`  ✗ ${problem}`);
    if (report.problems.length === 0) say('  ✓ types, fields, arguments, entity keys, contract version, ids and cursors match the contract.');
    say(tokens ? `Behaviour (signed as the hub for ${tokens.memberId} with the key in ${keys}):` : 'Behaviour (unsigned: no --member given):');
    const probes = await probeMemberBehaviour(client, url, { timeoutMs: timeout, smallestShown, ...(tokens ? { tokens } : {}) });
    for (const line of probeLines(probes)) say(line);
    const failed = probes.filter((probe) => probe.outcome === 'failed').length;
    const skipped = probes.filter((probe) => probe.outcome === 'skipped').length;
    const problems = report.problems.length + failed;
    if (problems === 0) {
      say(`✓ Compatible: the hub can route to this member, and it refuses what it must${skipped ? ` (${skipped} probe(s) skipped, see – above)` : ''}.`);
    } else {
      say(`✗ Not compatible: ${problems} problem(s) (${report.problems.length} in the schema, ${failed} failed probe(s)): fix the ✗ lines above and run the check again.`);
      process.exitCode = 1;
    }
  } catch (error) {
    say(`✗ ${(error as Error).message}`);
    process.exitCode = 1;
  } finally {
    await client.close();
  }
}

/** One line per probe, and for a failed one the fix on the next. */
function probeLines(probes: readonly ProbeResult[]): string[] {
  const mark = { passed: '✓', failed: '✗', skipped: '–' } as const;
  return probes.flatMap((probe) => [`  ${mark[probe.outcome]} ${probe.probe}: ${probe.reason}`, ...(probe.outcome === 'failed' && probe.fix ? [`      fix: ${probe.fix}`] : [])]);
}

runMain(main);
