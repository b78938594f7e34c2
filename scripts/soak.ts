import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ALLIANCE_MEMBERS } from '../hub/alliance.js';
import { ensureDevIdp } from '../hub/dev-idp.js';
import { PATHWAY_QUERY } from '../hub/sample.js';
import { showcaseLearners } from '../hub/seed.js';
import { ConfigError, runMain } from '../lib/config.js';
import { REPO_ROOT } from '../lib/paths.js';
import { percentile, startProcess } from './bench-load.js';

const HELP = `Usage: npm run soak -- [--minutes <n>] [--rate <req/s>] [--learners <n>] [--warmup-seconds <n>]

A soak of the embedded hub (issue 17): does it hold a steady load for minutes
with no errors and no growing memory? The hub runs as npm start runs it
(hub/start.ts as its own process, 13 members, on a temporary data folder and
free ports, deleted afterwards); the load comes from this process, so the load
generator never shares the hub's event loop or threads.

  1. Capacity: 15 s of closed-loop load (8 callers, each sending its next
     request when its last is answered) of a realistic mix: the README pathway
     query (hub/sample.ts) as one of the seeded learners with a token the hub
     accepts (half of the requests), { institutions { id name } } and a
     catalogue search (a quarter each, anonymous).
  2. Soak: the same mix, open loop (sent on a fixed schedule whatever the
     answers, as real users do) at half that capacity, for --minutes.
  3. Every 5 s, the resident memory (VmRSS) of the hub process and all its
     descendants; every minute a progress line: requests, errors, latency p50
     and p99 (from each request's scheduled time), memory.
  4. A summary: requests, errors, rate achieved against the target, memory at
     the end of the warm-up against memory at the end, and its growth. Each
     of the two is the median of the samples of the 30 s before it: the heap
     grows and shrinks in steps (±10 % over a minute is normal), so two single
     samples would measure the steps rather than a trend.

Exits 1 when any request of the soak failed (HTTP status other than 200,
GraphQL errors, no data, no answer within 30 s) or memory grew by 10 % or more
after the warm-up; 0 otherwise. Errors of the capacity run are printed, not
judged: it saturates the hub on purpose, and a member may then miss its
deadline. The hub is stopped with SIGTERM and awaited either way.

Options:
  --minutes <n>          length of the soak, after the capacity run      default 10
  --rate <req/s>         the soak's rate instead of half the measured capacity
                         (the capacity run is then skipped)
  --learners <n>         learners seeded into the hub (DEMO_LEARNERS); those with
                         achievements at three or more members send the pathway
                         query, each with their own token           default 200
  --warmup-seconds <n>   the soak's first seconds, after which memory is the
                         baseline of the growth figure (JIT, caches and pools
                         settle first); requests in it count     default 60
  --help                 this text

The per-caller rate limit and cost budget of the gateway are raised
(RATE_LIMIT_PER_MINUTE, COST_BUDGET_PER_MINUTE, MAX_QUEUED_PER_CALLER): with a
few callers they would refuse the load, and the soak is about the query path,
not the limits. Everything else is npm start's default.

Takes --minutes plus about a minute (seeding, capacity, stop). Figures on a
shared machine are noisy: the rate and latency move with whatever else runs.
test/operations/soak.test.ts runs the same in ~20 s of load (CI's short form);
docs/operations.md ("Soak") records a full run.
`;

/** The mix's anonymous queries: what the catalogue pages of the portal ask. */
const INSTITUTIONS = /* GraphQL */ `{ institutions { id name } }`;
const SEARCH = /* GraphQL */ `{ offerings(filter: { text: "sustainab" }, first: 20) { totalCount nodes { id title institution { id } } } }`;

/** Generous per-caller limits (as scripts/bench-ratios.ts): the soak measures the query path, not the limiter. */
const EDGE_ENV = { RATE_LIMIT_PER_MINUTE: '1000000', COST_BUDGET_PER_MINUTE: '1000000000', MAX_QUEUED_PER_CALLER: '10000' };

/** A request that has no answer by then is a failure, not something to wait on forever. */
const REQUEST_TIMEOUT_MS = 30_000;

/** The threshold of issue 17 ("RSS growth < 10 %"). */
export const MAX_RSS_GROWTH_PERCENT = 10;

export interface SoakOptions {
  /** Length of the open-loop soak, seconds. */
  seconds: number;
  /** The soak's rate, requests a second; undefined: half the capacity measured first. */
  rate?: number;
  /** Learners seeded into the hub (DEMO_LEARNERS). */
  learners: number;
  /** The soak's first seconds, after which memory is the growth figure's baseline. */
  warmupSeconds: number;
  /** Length of the closed-loop capacity run, seconds. */
  capacitySeconds?: number;
  /** Callers of the capacity run. */
  capacityCallers?: number;
  /** How often memory is sampled, seconds. */
  sampleSeconds?: number;
  /** The windows at the end of the warm-up and at the end whose medians the growth compares, seconds (at most the warm-up). */
  rssWindowSeconds?: number;
  /** How often a progress line is printed, seconds. */
  reportSeconds?: number;
}

export interface IntervalFigures {
  /** Seconds since the soak began, at the end of this interval. */
  atSecond: number;
  /** Requests answered (or failed) in this interval. */
  requests: number;
  errors: number;
  p50: number;
  p99: number;
  rssMiB: number;
}

export interface SoakReport {
  /** Measured by the closed-loop run; undefined when --rate was given. */
  capacity?: { perSecond: number; requests: number; errors: number; p50: number; p99: number };
  targetRate: number;
  /** Requests answered a second, from the soak's start to its last answer. */
  achievedRate: number;
  seconds: number;
  requests: number;
  errors: number;
  /** The first message of each kind of error, by kind. */
  errorKinds: Map<string, string>;
  p50: number;
  p99: number;
  intervals: IntervalFigures[];
  rss: {
    /** As the soak began (after the capacity run). */
    startMiB: number;
    /** At the end of the warm-up: the baseline (the median of the samples of the window before it). */
    warmMiB: number;
    /** At the end: the median of the samples of the last window. */
    endMiB: number;
    /** The lowest and highest sample after the warm-up. */
    minMiB: number;
    peakMiB: number;
    growthPercent: number;
    /** The length of the two windows, seconds. */
    windowSeconds: number;
    samples: { atSecond: number; mib: number }[];
  };
  /** How the hub stopped on SIGTERM. */
  stop: { exitCode: number | null; signal: string | null; ms: number };
}

interface Mix {
  url: string;
  learners: { id: string; token: string }[];
}

interface Outcome {
  ok: boolean;
  /** An error's kind (GraphQL code or HTTP status) and first message. */
  kind?: string;
  message?: string;
}

/** The i-th request of the mix: half pathway queries (learners in turn), a quarter each of the anonymous two. */
function request(mix: Mix, i: number): { query: string; variables: Record<string, unknown>; headers: Record<string, string>; expect: string } {
  const slot = i % 4;
  if (slot === 2) return { query: INSTITUTIONS, variables: {}, headers: {}, expect: 'institutions' };
  if (slot === 3) return { query: SEARCH, variables: {}, headers: {}, expect: 'offerings' };
  const learner = mix.learners[(Math.floor(i / 4) * 2 + slot) % mix.learners.length] as Mix['learners'][number];
  return { query: PATHWAY_QUERY, variables: { id: learner.id }, headers: { authorization: `Bearer ${learner.token}` }, expect: 'learner' };
}

async function send(mix: Mix, i: number): Promise<Outcome> {
  const { query, variables, headers, expect } = request(mix, i);
  try {
    const response = await fetch(mix.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    let body: { data?: Record<string, unknown> | null; errors?: { message?: string; extensions?: { code?: string } }[] };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      return { ok: false, kind: `HTTP_${response.status}`, message: text.slice(0, 160) };
    }
    if (response.status !== 200) return { ok: false, kind: `HTTP_${response.status}`, message: String(body.errors?.[0]?.message ?? text.slice(0, 160)) };
    if (body.errors?.length) return { ok: false, kind: String(body.errors[0]?.extensions?.code ?? 'GRAPHQL_ERROR'), message: String(body.errors[0]?.message ?? '') };
    // A null learner (or catalogue) with no error would hide a broken seed or token: counted too.
    if (body.data?.[expect] == null) return { ok: false, kind: 'NO_DATA', message: `no ${expect} in the answer` };
    return { ok: true };
  } catch (error) {
    const cause = (error as Error).cause ?? error;
    return { ok: false, kind: (error as Error).name === 'TimeoutError' ? 'TIMEOUT' : 'NETWORK', message: String(cause).slice(0, 160) };
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const sortedPercentile = (values: number[], p: number) => percentile([...values].sort((a, b) => a - b), p);

/** Closed-loop load for `seconds`: what the hub answers at most with `callers` always waiting on it. */
async function measureCapacity(mix: Mix, seconds: number, callers: number): Promise<NonNullable<SoakReport['capacity']>> {
  let next = 0;
  // A few rounds first: the plans are built and the connections opened before the clock starts.
  await Promise.all(Array.from({ length: callers }, async () => {
    for (let round = 0; round < 3; round += 1) await send(mix, (next += 1));
  }));
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        if (!(await send(mix, (next += 1))).ok) errors += 1;
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { perSecond: latencies.length / elapsed, requests: latencies.length, errors, p50: sortedPercentile(latencies, 50), p99: sortedPercentile(latencies, 99) };
}

const mib = (value: number) => `${value.toFixed(0)} MiB`;
const ms = (value: number) => `${value.toFixed(1)} ms`;

/** The process tree of npm start's entry point on a fresh data folder and free ports, every member included. */
async function startSoakHub(dir: string, learners: number) {
  const registry = join(dir, 'members.json');
  writeFileSync(registry, JSON.stringify({ members: ALLIANCE_MEMBERS.map((member) => ({ id: member.id, name: member.name, endpoint: 'http://127.0.0.1:0/graphql' })) }));
  const ports = Object.fromEntries(['GATEWAY', 'MEMBERS', 'ESCO', 'LEARNERS', 'ISSUANCE', 'RECOGNITION', 'PASSPORT', 'ANALYTICS'].map((name) => [`${name}_PORT`, '0']));
  const started = await startProcess(REPO_ROOT, ['--import', 'tsx', 'hub/start.ts'], { DATA_DIR: join(dir, 'data'), DEMO_LEARNERS: String(learners), MEMBER_REGISTRY: registry, ...ports, ...EDGE_ENV }, /Press Ctrl\+C to stop\./, 300_000);
  const url = /Gateway\s+(http:\/\/\S+\/graphql)/.exec(started.output())?.[1];
  if (!url) {
    await started.stop();
    throw new Error(`hub/start.ts printed no gateway address:\n${started.output().slice(-1_000)}`);
  }
  return { started, url };
}

/**
 * The soak: starts the hub as its own process, measures its capacity (unless
 * `options.rate` is given), holds half of it open-loop for `options.seconds`
 * while sampling the process tree's memory, stops the hub and returns the
 * figures. Prints progress with `say`; judges nothing (see `soakFailures`).
 */
export async function runSoak(options: SoakOptions, say: (line: string) => void): Promise<SoakReport> {
  const sampleMs = (options.sampleSeconds ?? 5) * 1000;
  const reportMs = (options.reportSeconds ?? 60) * 1000;
  const dir = mkdtempSync(join(tmpdir(), 'soak-'));
  try {
    say(`starting the hub (hub/start.ts as npm start runs it: 13 members, ${options.learners} learners, temporary data, free ports)`);
    const startedAt = performance.now();
    const { started, url } = await startSoakHub(dir, options.learners);
    let stop: SoakReport['stop'] | undefined;
    const stopHub = async () => {
      const signalled = performance.now();
      const exit = new Promise<{ exitCode: number | null; signal: string | null }>((resolve) => {
        if (started.child.exitCode !== null || started.child.signalCode !== null) resolve({ exitCode: started.child.exitCode, signal: started.child.signalCode });
        else started.child.once('exit', (exitCode, signal) => resolve({ exitCode, signal }));
      });
      // SIGTERM, then SIGKILL after 15 s if the hub has not stopped: bench-load.ts's stop.
      await started.stop();
      stop = { ...(await exit), ms: performance.now() - signalled };
    };
    try {
      say(`hub ready in ${((performance.now() - startedAt) / 1000).toFixed(1)} s at ${url}, ${mib(started.rssMiB())} resident (process tree)`);
      // The process's development identity provider keeps its key in the data folder: the same key signs the tokens.
      const idp = await ensureDevIdp(join(dir, 'data', 'keys'));
      const chosen = showcaseLearners({ learners: options.learners }, 50);
      if (chosen.length === 0) throw new ConfigError(`--learners ${options.learners} holds no learner with achievements at three members; try more`);
      const mix: Mix = { url, learners: await Promise.all(chosen.map(async ({ id }) => ({ id, token: await idp.issue({ role: 'learner', learnerId: id, ttlSeconds: 24 * 3600 }) }))) };

      let capacity: SoakReport['capacity'];
      let targetRate = options.rate;
      if (targetRate === undefined) {
        const seconds = options.capacitySeconds ?? 15;
        const callers = options.capacityCallers ?? 8;
        say(`capacity: ${seconds} s closed loop, ${callers} callers, the mix (pathway query as ${mix.learners.length} learners in turn, institutions, catalogue search)`);
        capacity = await measureCapacity(mix, seconds, callers);
        say(`capacity: ${capacity.perSecond.toFixed(1)} req/s (${capacity.requests} requests, ${capacity.errors} errors, p50 ${ms(capacity.p50)}, p99 ${ms(capacity.p99)})`);
        targetRate = capacity.perSecond / 2;
      }
      const rate = targetRate;
      say(`soak: ${rate.toFixed(1)} req/s open loop for ${options.seconds} s${capacity ? ' (half the capacity)' : ''}; memory every ${sampleMs / 1000} s, the baseline at the end of the ${options.warmupSeconds} s warm-up`);

      const errorKinds = new Map<string, string>();
      const latencies: number[] = [];
      let errors = 0;
      let bucket: { latencies: number[]; errors: number } = { latencies: [], errors: 0 };
      const samples: { atSecond: number; mib: number }[] = [];
      const intervals: IntervalFigures[] = [];
      const soakStart = performance.now();
      const since = () => (performance.now() - soakStart) / 1000;
      const sample = () => {
        const value = started.rssMiB();
        samples.push({ atSecond: since(), mib: value });
        return value;
      };
      const startMiB = sample();
      let lastAnswer = soakStart;
      const report = () => {
        const sorted = bucket.latencies.sort((a, b) => a - b);
        const figures: IntervalFigures = { atSecond: since(), requests: sorted.length, errors: bucket.errors, p50: percentile(sorted, 50), p99: percentile(sorted, 99), rssMiB: samples.at(-1)?.mib ?? 0 };
        intervals.push(figures);
        bucket = { latencies: [], errors: 0 };
        const minute = figures.atSecond / 60;
        say(`  ${minute >= 1 ? `${minute.toFixed(1)} min` : `${figures.atSecond.toFixed(0)} s`}: ${figures.requests} requests (${(figures.requests / (reportMs / 1000)).toFixed(1)}/s), ${figures.errors} errors, p50 ${ms(figures.p50)}, p99 ${ms(figures.p99)}, RSS ${mib(figures.rssMiB)}${figures.atSecond < options.warmupSeconds ? ' (warming up)' : ''}`);
      };
      const sampler = setInterval(sample, sampleMs);
      const reporter = setInterval(report, reportMs);

      const inFlight = new Set<Promise<void>>();
      const fire = (i: number, scheduled: number) => {
        const done = send(mix, i).then((outcome) => {
          const now = performance.now();
          lastAnswer = now;
          // From the scheduled time, not the sending: a late send (a busy generator) shows in the latency rather than hiding it.
          latencies.push(now - scheduled);
          bucket.latencies.push(now - scheduled);
          if (!outcome.ok) {
            errors += 1;
            bucket.errors += 1;
            if (outcome.kind && !errorKinds.has(outcome.kind)) errorKinds.set(outcome.kind, outcome.message ?? '');
          }
          inFlight.delete(done);
        });
        inFlight.add(done);
      };
      const interval = 1000 / rate;
      const end = soakStart + options.seconds * 1000;
      let sent = 0;
      // Open loop: request i is due at soakStart + i × interval; a timer that wakes late sends every request already due.
      while (performance.now() < end) {
        while (soakStart + sent * interval <= Math.min(performance.now(), end)) {
          fire(sent, soakStart + sent * interval);
          sent += 1;
        }
        await sleep(Math.max(1, soakStart + sent * interval - performance.now()));
      }
      await Promise.all(inFlight);
      const finalMiB = sample();
      clearInterval(sampler);
      clearInterval(reporter);
      // The last partial interval, unless the last timer just printed it.
      if (bucket.latencies.length > 0) report();
      // V8 grows and returns its heap in steps of tens of MiB (a sawtooth of ±10 % here), so one sample against
      // another measures where each fell on the tooth; the medians of a window at each end measure the trend.
      const windowSeconds = Math.min(options.rssWindowSeconds ?? 30, options.warmupSeconds, options.seconds - options.warmupSeconds);
      const median = (from: number, to: number) => {
        const inside = samples.filter((entry) => entry.atSecond >= from - 0.5 && entry.atSecond <= to + 0.5).map((entry) => entry.mib);
        return inside.length ? sortedPercentile(inside, 50) : finalMiB;
      };
      const baseline = median(options.warmupSeconds - windowSeconds, options.warmupSeconds);
      const ending = median(options.seconds - windowSeconds, Number.POSITIVE_INFINITY);
      const afterWarm = samples.filter((entry) => entry.atSecond >= options.warmupSeconds).map((entry) => entry.mib);
      const result: SoakReport = {
        ...(capacity ? { capacity } : {}),
        targetRate: rate,
        achievedRate: latencies.length / ((lastAnswer - soakStart) / 1000),
        seconds: options.seconds,
        requests: latencies.length,
        errors,
        errorKinds,
        p50: sortedPercentile(latencies, 50),
        p99: sortedPercentile(latencies, 99),
        intervals,
        rss: { startMiB, warmMiB: baseline, endMiB: ending, minMiB: Math.min(...afterWarm), peakMiB: Math.max(...afterWarm), growthPercent: ((ending - baseline) / baseline) * 100, windowSeconds, samples },
        stop: { exitCode: null, signal: null, ms: 0 },
      };
      if (errors > 0) say(`the hub's last output:\n${started.output().slice(-2_000)}`);
      await stopHub();
      return { ...result, stop: stop ?? result.stop };
    } finally {
      if (!stop) await stopHub();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What fails the soak (issue 17, point 6): any error, or memory grown by 10 % or more after the warm-up. */
export function soakFailures(report: SoakReport): string[] {
  const failures: string[] = [];
  if (report.errors > 0) failures.push(`${report.errors} requests failed`);
  if (!(report.rss.growthPercent < MAX_RSS_GROWTH_PERCENT)) failures.push(`memory grew ${report.rss.growthPercent.toFixed(1)} % after the warm-up (limit: under ${MAX_RSS_GROWTH_PERCENT} %)`);
  return failures;
}

/** The summary block the script ends with. */
export function describeSoak(report: SoakReport, warmupSeconds: number): string[] {
  const lines = [''];
  if (report.capacity) lines.push(`capacity          ${report.capacity.perSecond.toFixed(1)} req/s closed loop (${report.capacity.errors} errors)`);
  lines.push(
    `requests          ${report.requests} in ${report.seconds} s, ${report.errors} errors${report.errors ? ` (${[...report.errorKinds].map(([kind, message]) => `${kind}: ${message}`).join('; ')})` : ''}`,
    `rate              ${report.achievedRate.toFixed(1)} req/s achieved, target ${report.targetRate.toFixed(1)} req/s (${((report.achievedRate / report.targetRate) * 100).toFixed(1)} %)`,
    `latency           p50 ${ms(report.p50)}, p99 ${ms(report.p99)} over the whole soak`,
    `RSS (hub tree)    ${mib(report.rss.startMiB)} at the start; ${mib(report.rss.warmMiB)} at the end of the warm-up (${warmupSeconds} s), ${mib(report.rss.endMiB)} at the end (medians of the ${report.rss.windowSeconds} s before each); after the warm-up ${mib(report.rss.minMiB)}-${mib(report.rss.peakMiB)}`,
    `RSS growth        ${report.rss.growthPercent >= 0 ? '+' : ''}${report.rss.growthPercent.toFixed(1)} % from the end of the warm-up to the end (limit: under ${MAX_RSS_GROWTH_PERCENT} %)`,
    `stop              SIGTERM: ${report.stop.signal ? `killed by ${report.stop.signal}` : `exit code ${report.stop.exitCode}`} after ${report.stop.ms.toFixed(0)} ms`,
  );
  return lines;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      help: { type: 'boolean', default: false },
      minutes: { type: 'string', default: '10' },
      rate: { type: 'string' },
      learners: { type: 'string', default: '200' },
      'warmup-seconds': { type: 'string', default: '60' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const number = (name: string, value: string, min: number, max: number) => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < min || parsed > max) throw new ConfigError(`--${name} must be a number from ${min} to ${max}, not "${value}"`);
    return parsed;
  };
  const seconds = Math.round(number('minutes', values.minutes, 0.1, 24 * 60) * 60);
  const warmupSeconds = number('warmup-seconds', values['warmup-seconds'], 0, 3_600);
  if (warmupSeconds >= seconds) throw new ConfigError(`--warmup-seconds (${warmupSeconds}) must be shorter than the soak (${seconds} s)`);
  const options: SoakOptions = {
    seconds,
    learners: Math.round(number('learners', values.learners, 10, 100_000)),
    warmupSeconds,
    ...(values.rate !== undefined ? { rate: number('rate', values.rate, 0.1, 10_000) } : {}),
  };
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const report = await runSoak(options, say);
  for (const line of describeSoak(report, warmupSeconds)) say(line);
  const failures = soakFailures(report);
  say(failures.length ? `FAILED: ${failures.join('; ')}` : 'passed: no errors, memory growth under the limit');
  if (failures.length) process.exitCode = 1;
}

// Run only as the entry point: test/operations/soak.test.ts imports runSoak, and importing must start nothing.
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) runMain(main);
