import { FIXTURE_BEARER_TOKEN, startOeapiFixture } from './fixture.js';
import { DEFAULT_OEAPI_SPEC_PATH, loadOeapiSpec } from './spec.js';

/*
 * `npm run oeapi:fixture`: the fixture OEAPI server on its own, for working
 * on the sync by hand (curl, the client in a REPL). The only file of this
 * folder that reads the environment and keeps a server running.
 *
 *   OEAPI_FIXTURE_PORT    port to listen on                default 4100
 *   OEAPI_FIXTURE_TOKEN   bearer token it accepts          default the fixture's own
 *   OEAPI_SPEC_PATH       the OEAPI 6.0 document           default ../shared/oeapi/oeapi.yaml
 */

const port = Number(process.env['OEAPI_FIXTURE_PORT'] ?? 4100);
const token = process.env['OEAPI_FIXTURE_TOKEN'] ?? FIXTURE_BEARER_TOKEN;
const fixture = await startOeapiFixture({ port, auth: { bearerToken: token }, spec: loadOeapiSpec(process.env['OEAPI_SPEC_PATH'] ?? DEFAULT_OEAPI_SPEC_PATH) });
const { courses, courseOfferings, persons, associations } = fixture.dataset;
console.log(`OEAPI 6.0 fixture at ${fixture.url} (${courses.length} courses, ${courseOfferings.length} offerings, ${persons.length} persons, ${associations.length} associations)`);
console.log(`  curl -H 'Authorization: Bearer ${token}' '${fixture.url}/courses?pageSize=10&pageNumber=1'`);

const stop = (): void => {
  void fixture.stop().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
