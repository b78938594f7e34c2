import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, runMain } from '../lib/config.js';
import { REPO_ROOT } from '../lib/paths.js';
import { ensureDevIdp } from '../hub/dev-idp.js';
import type { Principal } from '../lib/auth.js';
import { ensureHubSigner, localHubVerifier } from '../lib/hub-token.js';
import { PATHWAY_QUERY } from '../hub/sample.js';
import { showcaseLearners } from '../hub/seed.js';
import { describeLoad, runLoad, startProcess, type LoadResult, type StartedProcess } from './bench-load.js';

const DEFAULT_BASE = '78ff066';

const HELP = `Usage: npm run bench:ratios -- [--base <commit>] [--learners <n>] [--requests <n>] [--no-peer]

The federated query path side by side, in one run, each hub started as its own
process with npm start's defaults over its own fresh demo data (the load comes
from this process): this checkout against a checkout of --base (default
${DEFAULT_BASE}, made with git worktree under .bench/ and installed with npm ci
on first use), then our gateway against Hive Gateway serving the same committed
supergraph over this checkout's running subgraphs. Prints, for each:
  - the README pathway query at concurrency 1 and 8 (one learner token per caller),
  - { institutions { id name } } and the catalogue search at concurrency 8,
    against the same read answered by one member alone,
  - resident memory of the whole process tree,
and the ratios the performance targets name (docs/performance.md).
Prints figures; asserts nothing. Takes a few minutes.
`;

const INSTITUTIONS = `{ institutions { id name } }`;
const ONE_INSTITUTION = `{ institution(id: "tuni.fi") { id name } }`;
const SEARCH = `{ offerings(filter: { text: "sustainab" }, first: 20) { totalCount nodes { id title institution { id } } } }`;
const ONE_MEMBER_SEARCH = `{ offerings(filter: { text: "sustainab", institutionIds: ["tuni.fi"] }, first: 20) { totalCount nodes { id title institution { id } } } }`;

/** Generous edge limits: the benchmark measures the query path, not the per-caller limits (the same for both checkouts). */
const EDGE_ENV = { RATE_LIMIT_PER_MINUTE: '1000000', COST_BUDGET_PER_MINUTE: '1000000000', MAX_QUEUED_PER_CALLER: '10000' };

interface Figures {
  pathway1: LoadResult;
  pathway8: LoadResult;
  institutions: LoadResult;
  oneInstitution: LoadResult;
  search: LoadResult;
  oneMemberSearch: LoadResult;
  rss: number;
}

/** A checkout of `commit` beside the others under .bench/, installed once. */
function baseCheckout(commit: string, say: (line: string) => void): string {
  const sha = execFileSync('git', ['rev-parse', '--verify', `${commit}^{commit}`], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  const dir = join(REPO_ROOT, '.bench', `base-${sha.slice(0, 12)}`);
  if (!existsSync(join(dir, 'package.json'))) {
    say(`checking out ${sha.slice(0, 12)} into ${dir}`);
    mkdirSync(join(REPO_ROOT, '.bench'), { recursive: true });
    execFileSync('git', ['worktree', 'add', '--force', '--detach', dir, sha], { cwd: REPO_ROOT, stdio: 'ignore' });
  }
  if (!existsSync(join(dir, 'node_modules', 'tsx'))) {
    say(`installing its dependencies (npm ci) …`);
    execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: 'ignore' });
  }
  return dir;
}

async function startHubOf(dir: string, dataDir: string, learners: number, prefix: readonly string[] = []): Promise<StartedProcess> {
  return startProcess(dir, ['--import', 'tsx', 'hub/start.ts'], { DATA_DIR: dataDir, DEMO_LEARNERS: String(learners), ...EDGE_ENV }, /Press Ctrl\+C to stop/, 600_000, prefix);
}

async function measure(url: string, tokens: readonly string[], ids: readonly string[], requests: number): Promise<Omit<Figures, 'rss'>> {
  const pathway = (concurrency: number, n: number) => runLoad({ url, query: PATHWAY_QUERY, variables: (caller) => ({ id: ids[caller % ids.length] }), tokens, concurrency, requests: n });
  const read = (query: string) => runLoad({ url, query, variables: () => ({}), tokens, concurrency: 8, requests });
  return {
    pathway1: await pathway(1, Math.max(50, Math.round(requests / 3))),
    pathway8: await pathway(8, requests),
    institutions: await read(INSTITUTIONS),
    oneInstitution: await read(ONE_INSTITUTION),
    search: await read(SEARCH),
    oneMemberSearch: await read(ONE_MEMBER_SEARCH),
  };
}

function print(say: (line: string) => void, name: string, figures: Figures): void {
  say(`${name}:`);
  say(`  pathway query, concurrency 1:   ${describeLoad(figures.pathway1)}`);
  say(`  pathway query, concurrency 8:   ${describeLoad(figures.pathway8)}`);
  say(`  institutions (13 members):      ${describeLoad(figures.institutions)}`);
  say(`  one institution (one member):   ${describeLoad(figures.oneInstitution)}`);
  say(`  catalogue search (13 members):  ${describeLoad(figures.search)}`);
  say(`  the same search at one member:  ${describeLoad(figures.oneMemberSearch)}`);
  say(`  resident memory after the load: ${figures.rss} MiB (the whole process tree)`);
}

const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      base: { type: 'string', default: DEFAULT_BASE },
      learners: { type: 'string', default: '1200' },
      requests: { type: 'string', default: '400' },
      'no-peer': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const [learners, requests] = [values.learners, values.requests].map(Number) as [number, number];
  if (![learners, requests].every((n) => Number.isInteger(n) && n > 0)) throw new ConfigError('--learners and --requests must be positive integers.');
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const base = baseCheckout(values.base, say);
  const work = mkdtempSync(join(tmpdir(), 'hub-ratios-'));
  // The demo is generated from the same seed in both checkouts: the same learners exist in each.
  const ids = showcaseLearners({ learners }, 20).map((learner) => learner.id);
  const tokensFor = async (dataDir: string) => {
    const idp = await ensureDevIdp(join(dataDir, 'keys'));
    return Promise.all(Array.from({ length: 8 }, (_, caller) => idp.issue({ role: 'learner', learnerId: ids[caller % ids.length] as string })));
  };
  say(`node ${process.version}, ${learners} demo learners, ${requests} requests per figure; this checkout against ${values.base} (${base})`);
  try {
    const results: Record<string, Figures> = {};
    for (const [name, dir] of [[`base ${values.base}`, base], ['this checkout', REPO_ROOT]] as const) {
      const dataDir = join(work, name.replace(/\W+/g, '-'));
      say(`starting ${name} (seeding its demo data) …`);
      const hub = await startHubOf(dir, dataDir, learners);
      try {
        const figures = await measure('http://127.0.0.1:4000/graphql', await tokensFor(dataDir), ids, requests);
        results[name] = { ...figures, rss: hub.rssMiB() };
      } finally {
        await hub.stop();
      }
      print(say, name, results[name] as Figures);
    }
    const then = results[`base ${values.base}`] as Figures;
    const now = results['this checkout'] as Figures;
    say('');
    say(`Ratios, this checkout against ${values.base}:`);
    say(`  pathway, concurrency 8: throughput ${ratio(now.pathway8.perSecond, then.pathway8.perSecond)} (target ≥ 5×), p50 ${ratio(now.pathway8.p50, then.pathway8.p50)} (target ≤ 0.25×)`);
    say(`  pathway, concurrency 1: p50 ${ratio(now.pathway1.p50, then.pathway1.p50)} (target ≤ 0.33×)`);
    say(`  institutions: throughput ${ratio(now.institutions.perSecond, then.institutions.perSecond)}; catalogue search: ${ratio(now.search.perSecond, then.search.perSecond)} (target ≥ 10×)`);
    say(`  fan-out against one member, p50: institutions ${ratio(now.institutions.p50, now.oneInstitution.p50)}, search ${ratio(now.search.p50, now.oneMemberSearch.p50)} (target ≤ 1.3×; at ${values.base}: ${ratio(then.institutions.p50, then.oneInstitution.p50)}, ${ratio(then.search.p50, then.oneMemberSearch.p50)})`);
    say(`  resident memory: ${now.rss} MiB against ${then.rss} MiB (target ≤ 600 MiB)`);
    await cores(say, work, learners, requests, ids, now.pathway8);
    await tokens(say, work);
    if (!values['no-peer']) await peer(say, work, learners, requests, ids);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** This checkout held to one core (taskset -c 0), against the two-core figure above. */
async function cores(say: (line: string) => void, work: string, learners: number, requests: number, ids: readonly string[], twoCores: LoadResult): Promise<void> {
  say('');
  say('starting this checkout on one core (taskset -c 0) …');
  const dataDir = join(work, 'one-core');
  let hub: StartedProcess;
  try {
    hub = await startHubOf(REPO_ROOT, dataDir, learners, ['taskset', '-c', '0']);
  } catch (error) {
    say(`  not measured: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    return;
  }
  try {
    const idp = await ensureDevIdp(join(dataDir, 'keys'));
    const tokens = await Promise.all(Array.from({ length: 8 }, (_, caller) => idp.issue({ role: 'learner', learnerId: ids[caller % ids.length] as string })));
    const one = await runLoad({ url: 'http://127.0.0.1:4000/graphql', query: PATHWAY_QUERY, variables: (caller) => ({ id: ids[caller % ids.length] }), tokens, concurrency: 8, requests });
    say(`  pathway query, concurrency 8, one core: ${describeLoad(one)}`);
    say(`  scaling from 1 to 2 cores: ${ratio(twoCores.perSecond, one.perSecond)} the throughput`);
  } finally {
    await hub.stop();
  }
}

/** What one hop's trust costs: a hub token signed by the caller and verified by the receiver, as the services do it. */
async function tokens(say: (line: string) => void, work: string): Promise<void> {
  const signer = await ensureHubSigner(join(work, 'token-keys'));
  const verifier = localHubVerifier(signer.jwks);
  const principal: Principal = { kind: 'user', subject: 'bench@eciu.eu', roles: ['learner'], learnerId: 'eciu-keh3l88z96nv' };
  const rounds = 3_000;
  const made: string[] = [];
  for (let i = 0; i < 200; i += 1) await verifier.verify(`Bearer ${await signer.sign(principal, 'esco')}`, 'esco');
  let started = performance.now();
  for (let i = 0; i < rounds; i += 1) made.push(await signer.sign(principal, 'esco'));
  const signUs = ((performance.now() - started) * 1000) / rounds;
  started = performance.now();
  for (const token of made) await verifier.verify(`Bearer ${token}`, 'esco');
  const verifyUs = ((performance.now() - started) * 1000) / rounds;
  say('');
  say(`per-hop trust: a hub token signed ${signUs.toFixed(0)} us, verified ${verifyUs.toFixed(0)} us (single use, audience and lifetime checked): ${((signUs + verifyUs) / 1000).toFixed(3)} ms a hop (target ≤ 0.1 ms)`);
}

/** Our gateway and Hive Gateway, each its own process, over the same running subgraphs of this checkout. */
async function peer(say: (line: string) => void, work: string, learners: number, requests: number, ids: readonly string[]): Promise<void> {
  const dataDir = join(work, 'peer');
  say('');
  say('starting this checkout for the gateway comparison …');
  const hub = await startHubOf(REPO_ROOT, dataDir, learners);
  const subgraphs = {
    SUBGRAPH_URL_MEMBERS: 'http://127.0.0.1:4001/graphql',
    SUBGRAPH_URL_ESCO: 'http://127.0.0.1:4002/graphql',
    SUBGRAPH_URL_LEARNERS: 'http://127.0.0.1:4003/graphql',
    SUBGRAPH_URL_ISSUANCE: 'http://127.0.0.1:4004/graphql',
    SUBGRAPH_URL_RECOGNITION: 'http://127.0.0.1:4005/graphql',
    SUBGRAPH_URL_PASSPORT: 'http://127.0.0.1:4006/graphql',
    SUBGRAPH_URL_ANALYTICS: 'http://127.0.0.1:4007/graphql',
    AUTH_DEV_IDP_DIR: join(dataDir, 'keys'),
    HUB_KEYS_DIR: join(dataDir, 'keys'),
    ...EDGE_ENV,
  };
  const gateways: StartedProcess[] = [];
  try {
    gateways.push(await startProcess(REPO_ROOT, ['--import', 'tsx', 'gateway/index.ts'], { ...subgraphs, PORT: '4010' }, /listening|ready|http:\/\/127\.0\.0\.1:4010/i, 120_000));
    gateways.push(await startProcess(REPO_ROOT, ['--import', 'tsx', 'deploy/hive-gateway/index.ts'], { ...subgraphs, PORT: '4011' }, /listening|ready|http:\/\/127\.0\.0\.1:4011/i, 120_000));
    const idp = await ensureDevIdp(join(dataDir, 'keys'));
    const tokens = await Promise.all(Array.from({ length: 8 }, (_, caller) => idp.issue({ role: 'learner', learnerId: ids[caller % ids.length] as string })));
    const load = (port: number) => runLoad({ url: `http://127.0.0.1:${port}/graphql`, query: PATHWAY_QUERY, variables: (caller) => ({ id: ids[caller % ids.length] }), tokens, concurrency: 8, requests });
    // Alternated twice, so a slow moment of the machine falls on both.
    const ours: LoadResult[] = [];
    const hive: LoadResult[] = [];
    for (let round = 0; round < 2; round += 1) {
      ours.push(await load(4010));
      hive.push(await load(4011));
    }
    const best = (list: LoadResult[]) => list.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
    say(`our gateway (npm run gateway), pathway at concurrency 8:  ${ours.map(describeLoad).join(' | ')}`);
    say(`Hive Gateway (npm run gateway:hive), the same:            ${hive.map(describeLoad).join(' | ')}`);
    say(`  ratio, our gateway against Hive Gateway, best round each: ${ratio(best(ours).perSecond, best(hive).perSecond)} (target ≥ 1.0×)`);
  } finally {
    for (const gateway of gateways) await gateway.stop();
    await hub.stop();
  }
}

runMain(main);
