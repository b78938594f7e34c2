import { afterAll, beforeAll, expect, it } from 'vitest';
import { openMemberDatabase } from '../../subgraphs/member/database.js';
import { Institution, LearningOpportunity } from '../../subgraphs/member/model.js';
import { startMemberServer } from '../../subgraphs/member/server.js';
import { quietLogger } from '../../lib/log.js';
import { temporaryDatabase } from '../helpers/databases.js';
import type { MikroORM } from '@mikro-orm/core';
import type { RunningServer } from '../../lib/server.js';

let orm: MikroORM; let server: RunningServer; let drop: () => Promise<void>;
beforeAll(async () => {
  const db = await temporaryDatabase('sqlite'); drop = db.drop;
  orm = await openMemberDatabase(db.target);
  const em = orm.em.fork();
  em.create(Institution, { id: 'tuni.fi', name: 'Tampere University', country: 'FI', associate: false, accreditationAuthority: 'FULL' as never, qaBody: 'FINEEC', qaArrangement: 'audit' });
  em.create(LearningOpportunity, { id: 'tuni.fi:mm-1', title: 'Sustainable Cities', sortTitle: 'sustainable cities', searchText: 'sustainable cities', kind: 'MICRO_MODULE' as never, microCredentialType: 'WITHIN_LEARNING_PATH' as never, ects: 2, workloadHours: 54, eqfLevel: 6, assessmentType: 'PORTFOLIO' as never, mode: 'ONLINE' as never, learningSetting: 'FORMAL' as never, qualityAssurance: 'x', stackability: 'STACKABLE' as never, sdgList: '11', languageList: 'en', creditBearing: true });
  await em.flush();
  server = await startMemberServer({ memberId: 'tuni.fi', orm, databaseKind: 'sqlite', logger: quietLogger() });
});
afterAll(async () => { await server?.stop(); await orm?.close(); await drop?.(); });

it('serves offerings', async () => {
  const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ offerings(filter:{text:"sustain"}) { totalCount edges { cursor } nodes { id title creditBearing sdgs institution { name qualityAssurance { body } } } } _entities(representations:[{__typename:"LearningOpportunity", id:"tuni.fi:mm-1"}]) { ... on LearningOpportunity { title } } }' }) });
  const body = await res.json();
  console.log(JSON.stringify(body));
  expect(body.data.offerings.totalCount).toBe(1);
});
