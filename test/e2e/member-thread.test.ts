import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALLIANCE_MEMBERS } from '../../hub/alliance.js';
import { PATHWAY_QUERY } from '../../hub/sample.js';
import { showcaseLearners } from '../../hub/seed.js';
import { startTestHub, TEST_LEARNERS, type TestHub } from '../helpers/hub.js';
import { asLearner } from '../helpers/tokens.js';

/*
 * npm start's two-core layout (issue 16, point 4): the member subgraphs answer
 * on a thread of their own. The graph must answer exactly as with every
 * service on one thread, a member stopped there must cost only its own part,
 * and the hub must stop cleanly.
 */

const listeningServers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'TCPServerWrap').length;
const memberOf = (id: string) => id.slice(0, id.indexOf(':'));

let threaded: TestHub;
let inProcess: TestHub;
let serversBefore = 0;
let serversWithThread = 0;

beforeAll(async () => {
  serversBefore = listeningServers();
  threaded = await startTestHub({ memberThread: { log: { name: 'test', quiet: true } }, memberPlugins: undefined });
  serversWithThread = listeningServers();
  inProcess = await startTestHub();
}, 180_000);
afterAll(async () => {
  await threaded?.stop();
  await inProcess?.stop();
});

describe('members on their own thread', () => {
  it("listen there: this thread holds only the gateway's and the central subgraphs' servers", () => {
    expect(serversWithThread - serversBefore).toBe(8);
    expect(threaded.hub.members.size).toBe(ALLIANCE_MEMBERS.length);
  });

  it('answer the pathway query exactly as members on the main thread do', async () => {
    for (const learner of showcaseLearners({ learners: TEST_LEARNERS }, 3)) {
      const [a, b] = await Promise.all([threaded, inProcess].map(async (hub) => (await hub.query(PATHWAY_QUERY, { id: learner.id }, await asLearner(hub.hub, learner.id))).body));
      expect(a?.errors).toBeUndefined();
      expect((a?.data?.['learner'] as { achievements: unknown[] }).achievements.length).toBeGreaterThan(0);
      expect(a).toEqual(b);
    }
  });

  it('a member stopped on that thread costs only its own part, and comes back on restart', async () => {
    const learner = showcaseLearners({ learners: TEST_LEARNERS }, 1)[0] as { id: string; members: string[] };
    const down = learner.members[0] as string;
    await threaded.hub.members.get(down)?.stop();
    try {
      const { body } = await threaded.query(PATHWAY_QUERY.replace(/offerings\([^\n]*\n/, ''), { id: learner.id }, await asLearner(threaded.hub, learner.id));
      const achievements = (body.data?.['learner'] as { achievements: { id: string }[] }).achievements;
      expect(new Set(achievements.map((achievement) => memberOf(achievement.id)))).toEqual(new Set(learner.members.filter((member) => member !== down)));
      expect(body.errors?.map((error) => error.extensions?.['member'])).toEqual([down]);
    } finally {
      await threaded.hub.members.get(down)?.restart();
    }
    const { body } = await threaded.query(PATHWAY_QUERY, { id: learner.id }, await asLearner(threaded.hub, learner.id));
    expect(body.errors).toBeUndefined();
  });
});
