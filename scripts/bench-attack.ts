import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, runMain } from '../lib/config.js';
import { REPO_ROOT } from '../lib/paths.js';
import { ensureDevIdp } from '../hub/dev-idp.js';
import { DEFAULT_DEMO_LEARNERS } from '../hub/demo.js';
import { PATHWAY_QUERY } from '../hub/sample.js';
import { showcaseLearners } from '../hub/seed.js';
import { percentile } from './bench-load.js';

const HELP = `Usage: npm run bench:attack -- [--requests <n>] [--seconds <n>] [--attackers <n>] [--attack-rate <n>] [--rounds <n>]

Measures what one hostile caller does to everyone else's latency (issue 10,
finding 3), with cost-aware admission on (the defaults) and off
(COST_BUDGET_PER_MINUTE=MAX_IN_FLIGHT_COST=MAX_CONCURRENT_OPERATIONS=0), side by
side in one run on one data folder.

The hub runs as npm start runs it, in a child process (so the load generator
does not share its event loop). For each setting it measures a learner
reading their pathway (the README query, one request at a time, as the portal
does) without and then under attack: --requests each (default 100), the
attacked phase ending after --seconds (default 40; at least 10 requests) so
that the unprotected setting does not take minutes. The attacker is anonymous and keeps
--attackers heavy queries in flight (offerings -> institution -> offerings,
100 x 100: about 10,300 objects each, under the 20,000 limit), retrying at once
when refused but staying under the request rate limit (--attack-rate requests
a second; default 10 = the 600 a minute RATE_LIMIT_PER_MINUTE allows).

Prints each phase's p50/p95, the attacked/unattacked ratio per setting (target
with admission on: at most 1.5x) and what the attacker got. Asserts nothing.
`;

/** About 10,300 objects (lib/result-size.ts): one 100 x 100 nesting, admitted by the result-size limit. */
const HEAVY_QUERY = 'query Heavy { offerings(first: 100) { nodes { id institution { id offerings(first: 100) { nodes { id title ects } } } } } }';
const ADMISSION_OFF = { COST_BUDGET_PER_MINUTE: '0', MAX_IN_FLIGHT_COST: '0', MAX_CONCURRENT_OPERATIONS: '0', MAX_QUEUED_PER_CALLER: '0' };

interface HubProcess {
  url: string;
  stop(): Promise<void>;
}

/** Starts `hub/start.ts` on free ports and resolves with the gateway URL once it says it is ready. */
function startHubProcess(dataDir: string, extraEnv: Record<string, string>): Promise<HubProcess> {
  const env = {
    ...process.env,
    APOLLO_TELEMETRY_DISABLED: '1',
    DATA_DIR: dataDir,
    ...Object.fromEntries(['GATEWAY', 'MEMBERS', 'ESCO', 'LEARNERS', 'ISSUANCE', 'RECOGNITION'].map((name) => [`${name}_PORT`, '0'])),
    ...extraEnv,
  };
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'hub', 'start.ts')], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /Gateway\s+(http:\/\/\S+\/graphql)/.exec(output)?.[1];
      if (url && output.includes('Press Ctrl+C to stop.')) {
        resolve({
          url,
          stop: async () => {
            child.kill('SIGTERM');
            await exited;
          },
        });
      }
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.once('exit', (code) => reject(new Error(`the hub exited with ${code} before it was ready:\n${output.slice(-2_000)}`)));
  });
}


interface Latencies {
  p50: number;
  p95: number;
  errors: number;
  samples: number;
}

/** The victim: learners reading their own pathway one request at a time. */
async function measureVictim(url: string, tokens: ReadonlyMap<string, string>, requests: number, seconds = Infinity): Promise<Latencies> {
  const ids = [...tokens.keys()];
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1_000;
  let errors = 0;
  // At least 10 samples, so that a very slow phase still has a median.
  for (let i = 0; i < requests && (i < 10 || performance.now() < deadline); i += 1) {
    const id = ids[i % ids.length] as string;
    const t0 = performance.now();
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.get(id) ?? ''}` },
      body: JSON.stringify({ query: PATHWAY_QUERY, variables: { id } }),
    });
    const body = (await response.json()) as { errors?: unknown[] };
    latencies.push(performance.now() - t0);
    if (!response.ok || body.errors) errors += 1;
  }
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p95: percentile(latencies, 95), errors, samples: latencies.length };
}

interface Attack {
  stop(): Promise<Map<number, number>>;
}

/** The attacker: `inFlight` heavy queries at once, at most `perSecond` requests a second over all of them. */
function startAttack(url: string, inFlight: number, perSecond: number): Attack {
  const statuses = new Map<number, number>();
  const interval = 1_000 / perSecond;
  let nextSlot = performance.now();
  let running = true;
  const loops = Array.from({ length: inFlight }, async () => {
    while (running) {
      // Pacing shared by all loops: the attacker stays under the request rate limit, as in the probe.
      const wait = nextSlot - performance.now();
      nextSlot = Math.max(nextSlot, performance.now()) + interval;
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (!running) break;
      try {
        const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: HEAVY_QUERY }) });
        await response.arrayBuffer();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      } catch {
        statuses.set(0, (statuses.get(0) ?? 0) + 1);
      }
    }
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return statuses;
    },
  };
}

interface Phase {
  setting: string;
  quiet: Latencies;
  attacked: Latencies;
  attacker: Map<number, number>;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      requests: { type: 'string', default: '100' },
      attackers: { type: 'string', default: '8' },
      'attack-rate': { type: 'string', default: '10' },
      rounds: { type: 'string', default: '1' },
      seconds: { type: 'string', default: '40' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const [requests, attackers, attackRate, rounds, seconds] = [values.requests, values.attackers, values['attack-rate'], values.rounds, values.seconds].map(Number) as [number, number, number, number, number];
  if (![requests, attackers, attackRate, rounds, seconds].every((n) => Number.isInteger(n) && n > 0)) {
    throw new ConfigError('--requests, --attackers, --attack-rate, --rounds and --seconds must be positive integers.');
  }
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const dataDir = mkdtempSync(join(tmpdir(), 'hub-bench-attack-'));
  say(`node ${process.version}, ${DEFAULT_DEMO_LEARNERS} demo learners, data in ${dataDir}`);
  say(`victim: the pathway query, ${requests} requests one at a time per phase; attacker: ${attackers} heavy queries in flight, <= ${attackRate} requests/s`);
  const phases: Phase[] = [];
  try {
    for (let round = 1; round <= rounds; round += 1) {
      for (const [setting, env] of [['admission on', {}], ['admission off', ADMISSION_OFF]] as const) {
        const hub = await startHubProcess(dataDir, env);
        try {
          const idp = await ensureDevIdp(join(dataDir, 'keys'));
          const ids = showcaseLearners({ learners: DEFAULT_DEMO_LEARNERS }, 20).map((learner) => learner.id);
          const tokens = new Map(await Promise.all(ids.map(async (id) => [id, await idp.issue({ role: 'learner', learnerId: id })] as const)));
          await measureVictim(hub.url, tokens, 20); // warm-up: connections, caches, JIT
          const quiet = await measureVictim(hub.url, tokens, requests);
          const attack = startAttack(hub.url, attackers, attackRate);
          await new Promise((resolve) => setTimeout(resolve, 2_000)); // let the attack reach its steady state
          const attacked = await measureVictim(hub.url, tokens, requests, seconds);
          const attacker = await attack.stop();
          phases.push({ setting, quiet, attacked, attacker });
          const got = [...attacker].sort(([a], [b]) => a - b).map(([status, count]) => `${count}×${status === 0 ? 'failed' : status}`).join(', ');
          say(
            `round ${round}, ${setting.padEnd(13)}: unattacked p50 ${quiet.p50.toFixed(1)} ms (p95 ${quiet.p95.toFixed(1)}), ` +
              `attacked p50 ${attacked.p50.toFixed(1)} ms (p95 ${attacked.p95.toFixed(1)}, ${attacked.samples} requests), ratio ${(attacked.p50 / quiet.p50).toFixed(2)}×, ` +
              `victim errors ${quiet.errors + attacked.errors}; attacker got ${got}`,
          );
        } finally {
          await hub.stop();
        }
      }
    }
    for (const setting of ['admission on', 'admission off']) {
      const mine = phases.filter((phase) => phase.setting === setting);
      const ratios = mine.map((phase) => phase.attacked.p50 / phase.quiet.p50).sort((a, b) => a - b);
      say(`${setting}: attacked/unattacked p50 ratio ${ratios.map((r) => `${r.toFixed(2)}×`).join(', ')} (median ${percentile(ratios, 50).toFixed(2)}×)${setting === 'admission on' ? ', target <= 1.5×' : ''}`);
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

runMain(main);
