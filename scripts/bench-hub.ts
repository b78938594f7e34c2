import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, runMain } from '../lib/config.js';
import { quietLogger } from '../lib/log.js';
import { ALLIANCE_MEMBERS } from '../hub/alliance.js';
import { DEFAULT_DEMO_LEARNERS, generateCatalogues, generateLongRecordLearner } from '../hub/demo.js';
import { seedFeedbackDemo } from '../hub/feedback-demo.js';
import { seedRecognitionDemo } from '../hub/recognition-demo.js';
import { PATHWAY_QUERY } from '../hub/sample.js';
import { addDemoLearner, showcaseLearners } from '../hub/seed.js';
import { startHub } from '../hub/stack.js';
import { openLearnersDatabase } from '../subgraphs/learners/database.js';
import { openMemberDatabase } from '../subgraphs/member/database.js';
import { catalogue } from '../subgraphs/passport/goals.js';
import { percentile } from './bench-load.js';

const HELP = `Usage: npm run bench:hub -- [--learners <n>] [--requests <n>] [--concurrency <n>] [--data-dir <folder>]

Measures the embedded default as npm start runs it, in a fresh temporary data
folder: cold start (migrations + demo seeding) and warm start times, resident
memory, and the latency and throughput through the gateway of the acceptance
pathway query (learner pathway across members + catalogue search) and of a
learner's progress along the demo's alliance certificate (pathwayProgress: every
achievement at every member, credentials, recognitions, suggestions), with the
calls the recognition subgraph makes per progress query, and of the learner's
competence passport and recommendations (the passport subgraph's calls too),
also for one added learner with 40 passed achievements across the members, and
the analyst dashboard's reads (one analyst per load): the alliance statistics (the
publication built as the hub starts, then read by every dimension including month,
home member and SDG, also while a rebuild runs behind the readers), mobility
flows, skills gained with the impact indicators, credentials and recognition
outcomes, and the quality summaries of every member.
--data-dir keeps the seeded data in that folder for the next run (seeding 300,000
learners takes about 40 s with two free cores); a folder already seeded with as many learners is
reused, and the "cold start" line then measures a start over data already there.
Prints figures; asserts nothing.
`;


const PROGRESS_QUERY = /* GraphQL */ `query Progress($id: ID!, $pathway: ID!) {
  learner(id: $id) {
    pathwayProgress(pathwayId: $pathway) {
      complete ectsCounted ectsMissing membersCounted { id }
      requirements { satisfied status suggestions { id title } }
      components { achievementId credentialId title ects counts reason institution { id } }
    }
  }
}`;

const PASSPORT_QUERY = /* GraphQL */ `query Passport($id: ID!) {
  learner(id: $id) {
    passport {
      skillCount ects
      skills { skill { uri } label level eqfLevel counts evidence { achievement { id } date level credentialStatus counts } }
      pillars { code label skillCount ects }
      timeline { month skillsGained }
    }
  }
}`;

const RECOMMEND_QUERY = /* GraphQL */ `query Recommend($id: ID!, $skills: [ID!]) {
  learner(id: $id) {
    recommendations(goal: { skillUris: $skills }, constraints: { ectsBudget: 10 }) {
      gap { uri }
      ranked { offering { id } score covers { skill { uri } how } explanation }
      plan { ects coverage uncovered { uri } }
    }
  }
}`;

const STATISTICS_QUERY = /* GraphQL */ `query Statistics($by: StatisticsDimension) {
  allianceStatistics(by: $by) { publishedAt columns rows { member { id } cells { enrolments completions passed ectsAwarded } total { enrolments } } total { enrolments } unavailableMembers { id } }
}`;

// The dashboard's other two reads (subgraphs/analytics/dashboard/dashboard.js asks exactly these).
const MOBILITY_QUERY = /* GraphQL */ `{ mobility { k flows { home { id name } host { id name } learners } byMemberCount { members learners } multiMemberLearners learners } }`;
const QUALITY_QUERY = /* GraphQL */ `{ institutions { id name qualitySummary { k withheld responses responseRate averages { overall workload } } } }`;
const OUTCOMES_QUERY = /* GraphQL */ `{
  credentialStatistics { k unavailable issuedByMonth { columns rows { member { id name } cells total } columnTotals total } issuedByKind { columns columnTotals total } revokedByMonth { columnTotals total } }
  recognitionStatistics { k unavailable byOutcome { columns rows { member { id name } cells total } columnTotals total } decisionTimes { member { id } medianDays } }
}`;
const SKILLS_IMPACT_QUERY = /* GraphQL */ `{
  skillStatistics(first: 20) { k escoUnavailable byGroup { columns rows { member { id name } cells total } columnTotals total } groups { code label } skills { uri label group awards } collections { collection awards } }
  impactIndicators { activeCitizen { sdgChallengeEnrolments sdgChallengePassed shareOfEnrolments } empoweredLearner { stackedCredentials multiMemberLearners shareOfLearners } thrivingEarner { skillAwards greenSkillAwards digitalSkillAwards transversalSkillAwards } }
}`;

const mib = () => Math.round(process.memoryUsage().rss / 1024 / 1024);


async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      learners: { type: 'string', default: String(DEFAULT_DEMO_LEARNERS) },
      requests: { type: 'string', default: '300' },
      concurrency: { type: 'string', default: '8' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const [learners, requests, concurrency] = [values.learners, values.requests, values.concurrency].map(Number) as [number, number, number];
  if (![learners, requests, concurrency].every((n) => Number.isInteger(n) && n > 0)) throw new ConfigError('--learners, --requests and --concurrency must be positive integers.');
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const kept = values['data-dir'];
  const dataDir = kept ? resolve(kept) : mkdtempSync(join(tmpdir(), 'hub-bench-'));
  if (kept) mkdirSync(dataDir, { recursive: true });
  say(`node ${process.version}, ${learners} demo learners, data in ${dataDir}`);
  try {
    let started = performance.now();
    let hub = await startHub({ logger: quietLogger('bench'), dataDir, learners });
    say(`cold start (migrate + seed + start 17 services): ${((performance.now() - started) / 1000).toFixed(2)} s, RSS ${mib()} MiB`);
    await hub.stop();

    // One learner with a long record (40 passed achievements across the members), for the passport and
    // recommendations at this scale (issue 12 point 5); written into the seeded files, as an import would.
    const longRecord = generateLongRecordLearner('eciu-bench-long-record', generateCatalogues(), 40);
    // Once per data folder (a kept one already has it).
    const added = join(dataDir, 'bench-long-record-added');
    if (!existsSync(added)) {
      const memberOrms = new Map(await Promise.all(ALLIANCE_MEMBERS.map(async (member) => [member.id, await openMemberDatabase({ kind: 'sqlite', location: join(dataDir, 'members', `${member.id}.sqlite`) })] as const)));
      const learnersOrm = await openLearnersDatabase({ kind: 'sqlite', location: join(dataDir, 'learners.sqlite') });
      try {
        await addDemoLearner({ members: memberOrms, learners: learnersOrm }, longRecord);
      } finally {
        await Promise.all([...memberOrms.values(), learnersOrm].map((orm) => orm.close()));
      }
      writeFileSync(added, `${longRecord.id}\n`);
    }

    started = performance.now();
    // As npm start runs it: the analytics publications are built as the hub starts (subgraphs/analytics/standing.ts).
    hub = await startHub({ logger: quietLogger('bench'), dataDir, learners, analyticsWarm: true });
    say(`warm start (data present):                    ${((performance.now() - started) / 1000).toFixed(2)} s, RSS ${mib()} MiB`);
    // Measured before any load, so the build does not share the machine with the learners' queries.
    const warmed = await Promise.all([hub.analyticsService.publication.refresh(), hub.analyticsService.outcomes.refresh()]).then(
      () => 'standing',
      (error: unknown) => `NOT built (${error instanceof Error ? error.message : String(error)})`,
    );
    say(`analytics publications built as the hub starts, before any reader: ${warmed}, ${((performance.now() - started) / 1000).toFixed(2)} s after the start began`);

    const showcase = showcaseLearners({ learners }, 20).map((learner) => learner.id);
    // Each learner reads their own data, as the portal does, with a token from the development identity provider.
    const tokens = new Map(await Promise.all([...showcase, longRecord.id].map(async (id) => [id, await hub.idp.issue({ role: 'learner', learnerId: id })] as const)));
    // The analysts' dashboard reads: one analyst per dashboard load (a token each, keyed like a learner id), so the
    // gateway's per-caller rate limit sees several analysts as it would, not one caller making every request.
    const analysts = Array.from({ length: 20 }, (_, i) => `analyst-${i + 1}`);
    for (const id of analysts) tokens.set(id, await hub.idp.issue({ role: 'analyst', subject: `bench-${id}@eciu.eu` }));
    const running = hub;
    const load = async (name: string, query: string, variables: (id: string) => Record<string, unknown>, inspect?: (data: Record<string, unknown>) => void, ids: readonly string[] = showcase) => {
      const latencies: number[] = [];
      let next = 0;
      let errors = 0;
      // The first message of each kind of error, so a figure with errors says what they were.
      const errorKinds = new Map<string, string>();
      const loadStarted = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < requests) {
            const id = ids[next % ids.length] as string;
            next += 1;
            const t0 = performance.now();
            const response = await fetch(running.gatewayUrl, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.get(id) ?? ''}` },
              body: JSON.stringify({ query, variables: variables(id) }),
            });
            const body = (await response.json()) as { data?: Record<string, unknown>; errors?: { message?: string; extensions?: { code?: string } }[] };
            if (body.errors) {
              errors += 1;
              const code = String(body.errors[0]?.extensions?.code ?? 'ERROR');
              if (!errorKinds.has(code)) errorKinds.set(code, String(body.errors[0]?.message ?? '').slice(0, 160));
            }
            else if (body.data) inspect?.(body.data);
            latencies.push(performance.now() - t0);
          }
        }),
      );
      const seconds = (performance.now() - loadStarted) / 1000;
      latencies.sort((a, b) => a - b);
      say(
        `${name} x${requests} (concurrency ${concurrency}): ${(requests / seconds).toFixed(1)} req/s, ` +
          `p50 ${percentile(latencies, 50).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, errors ${errors}`,
      );
      for (const [code, message] of errorKinds) say(`  error ${code}: ${message}`);
    };
    await load('pathway query', PATHWAY_QUERY, (id) => ({ id }));

    const demo = await seedRecognitionDemo({ gatewayUrl: hub.gatewayUrl, idp: hub.idp }, { learners });
    const calls: string[] = [];
    hub.recognitionService.observe = (call) => calls.push(call.service);
    const components: number[] = [];
    await load('pathway progress', PROGRESS_QUERY, (id) => ({ id, pathway: demo.pathwayId }), (data) => {
      const progress = (data['learner'] as { pathwayProgress: { components: unknown[] } } | null)?.pathwayProgress;
      if (progress) components.push(progress.components.length);
    });
    hub.recognitionService.observe = undefined;
    const callsPerQuery = (list: readonly string[]) => {
      const perQuery = new Map<string, number>();
      for (const service of list) perQuery.set(service, (perQuery.get(service) ?? 0) + 1 / requests);
      return [...perQuery].map(([service, n]) => `${service} ${n.toFixed(2)}`).join(', ');
    };
    say(
      `  components per learner: mean ${(components.reduce((sum, n) => sum + n, 0) / Math.max(1, components.length)).toFixed(1)}, max ${Math.max(0, ...components)}; ` +
        `recognition's calls per progress query: ${callsPerQuery(calls)}`,
    );

    // The learner's side: the passport, then recommendations towards skills the catalogue teaches.
    const passportCalls: string[] = [];
    hub.passportService.observe = (call) => passportCalls.push(call.service);
    const skills: number[] = [];
    await load('passport', PASSPORT_QUERY, (id) => ({ id }), (data) => {
      const passport = (data['learner'] as { passport: { skillCount: number } | null } | null)?.passport;
      if (passport) skills.push(passport.skillCount);
    });
    hub.passportService.observe = undefined;
    say(`  skills per passport: mean ${(skills.reduce((sum, n) => sum + n, 0) / Math.max(1, skills.length)).toFixed(1)}; the passport's calls per query: ${callsPerQuery(passportCalls)}`);
    const taught = [...new Set((await catalogue(hub.passportService)).flatMap((offering) => offering.skills))].sort();
    // Six goal skills per learner, a different six for each (the learner's id picks them).
    const pick = (id: string) => [...id].reduce((sum, char) => sum + char.charCodeAt(0), 0);
    await load('recommendations', RECOMMEND_QUERY, (id) => ({ id, skills: Array.from({ length: 6 }, (_, i) => taught[(pick(id) + i * 7) % taught.length]) }));
    const longSkills: number[] = [];
    await load('passport, learner with 40 achievements', PASSPORT_QUERY, (id) => ({ id }), (data) => {
      const passport = (data['learner'] as { passport: { skillCount: number } | null } | null)?.passport;
      if (passport) longSkills.push(passport.skillCount);
    }, [longRecord.id]);
    say(`  skills in that passport: ${longSkills[0] ?? 'none'}`);
    await load('recommendations, learner with 40 achievements', RECOMMEND_QUERY, (id) => ({ id, skills: Array.from({ length: 6 }, (_, i) => taught[(pick(id) + i * 7) % taught.length]) }), undefined, [longRecord.id]);
    // Alliance statistics: the publication stands (built at start), so the first read only reads it; then the
    // dashboard's reads, and the same reads while a rebuild runs behind them (what a reader meets every 10 minutes).
    const statisticsStarted = performance.now();
    const first = await fetch(running.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.get(analysts[0] as string) ?? ''}` },
      body: JSON.stringify({ query: STATISTICS_QUERY, variables: { by: 'TERM' } }),
    });
    const firstBody = (await first.json()) as { errors?: { message?: string }[]; data?: { allianceStatistics?: { unavailableMembers?: { id: string }[] } | null } };
    const missing = firstBody.data?.allianceStatistics?.unavailableMembers?.map((member) => member.id) ?? [];
    const built = firstBody.errors ? `with errors (${firstBody.errors[0]?.message ?? ''})` : missing.length ? `members missing: ${missing.join(', ')}` : 'ok, every member counted';
    say(`alliance statistics, first read: ${(performance.now() - statisticsStarted).toFixed(0)} ms, ${built}`);
    const dimensions = ['KIND', 'TERM', 'MODE', 'EQF_LEVEL', 'ISCED_F', 'MICRO_CREDENTIAL_TYPE', 'SDG_CHALLENGE', 'MONTH', 'HOME_MEMBER', 'SDG', null];
    let nextDimension = 0;
    const byDimension = () => ({ by: dimensions[nextDimension++ % dimensions.length] });
    await load('alliance statistics (published tables, analysts)', STATISTICS_QUERY, byDimension, undefined, analysts);
    const rebuildStarted = performance.now();
    let rebuildMs = 0;
    const rebuild = hub.analyticsService.publication.refresh().then(() => {
      rebuildMs = performance.now() - rebuildStarted;
    });
    await load('alliance statistics while the publication is rebuilt behind the readers', STATISTICS_QUERY, byDimension, undefined, analysts);
    await rebuild;
    say(`  the rebuild (every member counts once by offering, month, home member, SDG and skill; ESCO groups the skills; suppression of 3 measures over 9 additive tables, the SDG table and the skills system): ${rebuildMs.toFixed(0)} ms`);
    await load('dashboard: mobility flows (analysts)', MOBILITY_QUERY, () => ({}), undefined, analysts);
    await load('dashboard: skills gained and impact indicators (analysts)', SKILLS_IMPACT_QUERY, () => ({}), undefined, analysts);
    await load('dashboard: credentials and recognition (analysts)', OUTCOMES_QUERY, () => ({}), undefined, analysts);
    const feedback = await seedFeedbackDemo({ gatewayUrl: hub.gatewayUrl, idp: hub.idp }, { learners });
    say(`demo feedback written through the graph: ${feedback.submitted} responses`);
    await load('dashboard: quality by member (analysts)', QUALITY_QUERY, () => ({}), undefined, analysts);
    say(`RSS after load: ${mib()} MiB (one process: gateway, router, ESCO, learners, issuance, recognition, passport, 13 members)`);
    await hub.stop();
  } finally {
    if (!kept) rmSync(dataDir, { recursive: true, force: true });
  }
}

runMain(main);
