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
import { MEMBER_CONTRACT_PATH } from '../subgraphs/members/schema.js';

const HELP = `Usage: npm run member:check -- <url> [--member <id>] [--hub-keys <dir>] [--contract <file>] [--timeout <ms>]

Checks a running member subgraph (e.g. one a university hosts itself) against
the member contract in schema/member-contract.graphql: every type, field and
argument the hub relies on, the entity keys, the contract version, and the id
and cursor conventions the router depends on.

Members answer only calls the hub signed: with --member <id>, the check signs
each request with the hub key in --hub-keys (default data/keys, as npm start
creates it), for that member.

Prints what is missing or incompatible. Exit status: 0 compatible, 1 not
compatible or unreachable, 2 usage error.
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
  let authorization: (() => Promise<string>) | undefined;
  if (values.member) {
    if (!isMemberId(values.member)) throw new ConfigError('--member must be a member id such as tuni.fi.');
    const keys = resolve(REPO_ROOT, values['hub-keys'] ?? join('data', 'keys'));
    if (!existsSync(hubKeyFiles(keys).privatePath)) throw new ConfigError(`--hub-keys: no hub key in ${keys}.`);
    const signer = await hubSignerFromFiles(hubKeyFiles(keys));
    const member = values.member;
    authorization = async () => `Bearer ${await signer.sign(ANONYMOUS, member)}`;
  }
  const client = createHttpClient();
  const say = (line: string) => process.stdout.write(`${line}\n`);
  try {
    say(`Checking ${url} against member contract ${contractVersionOf(contractText) ?? '(unversioned)'}…`);
    const report = await checkMemberEndpoint(client, url, contractText, { timeoutMs: timeout, ...(authorization ? { authorization } : {}) });
    if (report.memberId) say(`Member: ${report.memberId}, contract version ${report.version ?? 'unknown'}`);
    for (const warning of report.warnings) say(`  warning: ${warning}`);
    for (const problem of report.problems) say(`  ✗ ${problem}`);
    if (report.problems.length === 0) {
      say('✓ Compatible: the hub can route to this member.');
    } else {
      say(`✗ Not compatible: ${report.problems.length} problem(s).`);
      process.exitCode = 1;
    }
  } catch (error) {
    say(`✗ ${(error as Error).message}`);
    process.exitCode = 1;
  } finally {
    await client.close();
  }
}

runMain(main);
