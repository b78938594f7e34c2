import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readBaseUrl, readBoolean, readInt, readPort, readString, runMain, stopOnSignals } from '../lib/config.js';
import { createLogger, readLogOptions } from '../lib/log.js';
import { startTracing, TRACING_HELP } from '../lib/tracing.js';
import { EDGE_HELP, readEdgeSettings } from '../gateway/edge-config.js';
import { REPO_ROOT } from '../lib/paths.js';
import { DEFAULT_K, MIN_K } from '../lib/suppression.js';
import { readRegistryFile } from '../subgraphs/members/registry.js';
import { DEFAULT_DEMO_LEARNERS } from './demo.js';
import { seedFeedbackDemo } from './feedback-demo.js';
import { seedRecognitionDemo } from './recognition-demo.js';
import { PATHWAY_QUERY } from './sample.js';
import { showcaseLearners } from './seed.js';
import { startHub } from './stack.js';

const HELP = `npm start: the whole hub on this machine, on the embedded default.

Starts the gateway, the member router, the ESCO, learners, issuance, recognition,
passport and analytics subgraphs and the 13 member subgraphs in one process, each with its own SQLite database under
the data folder (created and seeded with demo data on the first start).

Environment:
  DATA_DIR          folder for the SQLite files          default data/
  DEMO_LEARNERS     learners seeded on the first start   default ${DEFAULT_DEMO_LEARNERS}
  MEMBER_REGISTRY   member registry (ids, names, ports)  default config/members.json
                    watched, and re-read on SIGHUP: a member added with its own
                    endpoint is routed to (one removed is not) without a restart
  GATEWAY_PORT      default 4000      MEMBERS_PORT   default 4001   (0: a free port)
  ESCO_PORT         default 4002      LEARNERS_PORT  default 4003
  ISSUANCE_PORT     default 4004      RECOGNITION_PORT default 4005
  PASSPORT_PORT     default 4006      ANALYTICS_PORT default 4007
  ANALYTICS_K       k of the analytics k-anonymity       default 5, at least 3
  MEMBER_THREAD     1: the member subgraphs answer on a thread of their own,
                    so the hub uses two cores; 0: all on one    default 1
  CATALOGUE_CACHE_SECONDS  how long the router keeps members' public catalogue
                    answers (a change through the graph shows at once)  default 10, 0: none
  PUBLIC_URL        the hub's URL named in credentials   default http://<HOST>:<GATEWAY_PORT>
  HOST              address to bind                      default 127.0.0.1
  LOG_FORMAT        text or json                         default text; json with NODE_ENV=production
  LOG_LEVEL         debug, info, warn or error           default info
                    (info: one line per request and service; debug adds probes)
Tracing (OpenTelemetry over OTLP/HTTP; off unless an endpoint is set; docs/operations.md):
${TRACING_HELP}
The gateway's security settings, read exactly as npm run gateway reads them:
${EDGE_HELP}
Delete the data folder to start again from fresh demo data.
`;


async function main(): Promise<void> {
  const { values } = parseArgs({ options: { help: { type: 'boolean', default: false } } });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const started = performance.now();
  const env = process.env;
  // Before anything is opened or seeded: a bad value stops the start with one line.
  const edge = readEdgeSettings(env);
  const dataDir = resolve(REPO_ROOT, readString(env, 'DATA_DIR', 'data'));
  const learners = readInt(env, 'DEMO_LEARNERS', DEFAULT_DEMO_LEARNERS, { min: 1, max: 5_000_000 });
  const registryFile = resolve(readString(env, 'MEMBER_REGISTRY', join(REPO_ROOT, 'config', 'members.json')));
  const registry = readRegistryFile(registryFile);
  const logOptions = readLogOptions(env);
  const logger = createLogger({ name: 'hub', ...logOptions });
  const say = (line: string) => process.stdout.write(`${line}\n`);
  // Before any service starts (the member thread starts its own: hub/member-thread-worker.ts); stopped after them.
  const tracing = startTracing(env, logger);

  const hub = await startHub({
    logger,
    dataDir,
    learners,
    registry,
    registryFile,
    analyticsK: readInt(env, 'ANALYTICS_K', DEFAULT_K, { min: MIN_K, max: 1_000 }),
    analyticsWarm: true,
    // Both cores: the members answer on their own thread (hub/member-thread.ts); MEMBER_THREAD=0 keeps them on the main one.
    ...(readBoolean(env, 'MEMBER_THREAD', true) ? { memberThread: { log: { name: 'hub', ...logOptions } } } : {}),
    catalogueCacheMs: readInt(env, 'CATALOGUE_CACHE_SECONDS', 10, { min: 0, max: 3_600 }) * 1000,
    ports: {
      gateway: readPort(env, 'GATEWAY_PORT', 4000),
      members: readPort(env, 'MEMBERS_PORT', 4001),
      esco: readPort(env, 'ESCO_PORT', 4002),
      learners: readPort(env, 'LEARNERS_PORT', 4003),
      issuance: readPort(env, 'ISSUANCE_PORT', 4004),
      recognition: readPort(env, 'RECOGNITION_PORT', 4005),
      passport: readPort(env, 'PASSPORT_PORT', 4006),
      analytics: readPort(env, 'ANALYTICS_PORT', 4007),
    },
    ...(env['PUBLIC_URL'] ? { publicUrl: readBaseUrl(env, 'PUBLIC_URL', '') } : {}),
    host: readString(env, 'HOST', '127.0.0.1'),
    edge,
    onProgress: (message) => say(`… ${message}`),
  });
  // Recognition's demo goes through the running graph (it is what users would write), so it comes last.
  // A gateway that refuses the demo's operations (a safelist, a tight rate limit) leaves the hub running without them.
  const recognition = await seedRecognitionDemo({ gatewayUrl: hub.gatewayUrl, idp: hub.idp }, { learners: hub.demoLearners, progress: (message) => say(`… ${message}`) }).catch((error: unknown) => {
    say(`… no demo recognition data: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  });
  // Demo feedback, for the dashboard's quality panel and the members' quality summaries (also through the graph).
  await seedFeedbackDemo({ gatewayUrl: hub.gatewayUrl, idp: hub.idp }, { learners: hub.demoLearners }).then(
    (feedback) => say(`… demo feedback: ${feedback.submitted} responses (${feedback.created} new)`),
    (error: unknown) => say(`… no demo feedback: ${error instanceof Error ? error.message : String(error)}`),
  );
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const rss = Math.round(process.memoryUsage().rss / 1024 / 1024);
  const demo = showcaseLearners({ learners: hub.demoLearners });
  say('');
  say(`ECIU hub ready in ${seconds} s (${hub.members.size} members, one process, ${rss} MiB resident).`);
  say('');
  say(`  Gateway     ${hub.gatewayUrl}   (readiness: ${hub.readyUrl})`);
  say(`  Members     ${hub.urls.members}`);
  say(`  ESCO        ${hub.urls.esco}`);
  say(`  Learners    ${hub.urls.learners}`);
  say(`  Issuance    ${hub.urls.issuance}   (public: ${hub.publicUrl}/credentials/verify, ${hub.publicUrl}/issuers/eciu/jwks.json)`);
  say(`  Recognition ${hub.urls.recognition}`);
  say(`  Passport    ${hub.urls.passport}`);
  say(`  Analytics   ${hub.urls.analytics}   (the analyst dashboard: ${hub.publicUrl}/dashboard/)`);
  say('');
  say('Demo learners with achievements at three or more members:');
  for (const learner of demo) say(`  ${learner.id}   (${learner.members.join(', ')})`);
  say('');
  if (recognition?.learnerId) {
    say(`A learner who completed the "${recognition.pathwayName}" pathway: ${recognition.learnerId}`);
    say(`  their progress:     { learner(id: "${recognition.learnerId}") { pathwayProgress(pathwayId: "${recognition.pathwayId}") { complete ectsCounted components { title counts } } } }`);
    say(`  stacked credential: mutation { issuePathwayCredential(input: { pathwayId: "${recognition.pathwayId}", learnerId: "${recognition.learnerId}" }) { created basis credential { id } } }`);
    say('  (as that learner; recognition requests in every state, rules and a second pathway are seeded too: docs/recognition.md)');
    say('');
  }
  say('Learner records need an access token; the development identity provider signs them');
  say('(roles: learner --learner <id>, member-staff --member <id>, analyst, alliance-admin).');
  say('');
  say("Try it, as the first demo learner reading their own pathway:");
  const variables = JSON.stringify({ id: demo[0]?.id ?? 'eciu-…' });
  say(`  TOKEN=$(npm run --silent token -- --role learner --learner ${demo[0]?.id ?? 'eciu-…'})`);
  say(`  curl -s ${hub.gatewayUrl} -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \\`);
  say(`    -d '${JSON.stringify({ query: PATHWAY_QUERY.replace(/\s+/g, ' '), variables: JSON.parse(variables) })}'`);
  say('');
  say('Sample query (variables: ' + variables + '):');
  say(PATHWAY_QUERY);
  say('');
  say('Press Ctrl+C to stop.');
  // SIGHUP re-reads the member registry (it is also watched); SIGINT and SIGTERM stop.
  stopOnSignals(async () => {
    await hub.stop();
    await tracing.stop();
  }, say, env, { hangup: () => void hub.reloadRegistry('SIGHUP') });
}

runMain(main);
