import type { MikroORM } from '@mikro-orm/core';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quietLogger } from '../../lib/log.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import { CURATED_ESCO_FOLDER, curatedSkillUris, ensureEscoData } from '../../subgraphs/esco/curated.js';
import { openEscoDatabase } from '../../subgraphs/esco/database.js';
import { ReuseLevel, SkillCollection, SkillRelationType, SkillType } from '../../subgraphs/esco/enums.js';
import { importEsco, type ImportProgress, type ImportSummary } from '../../subgraphs/esco/import/importer.js';
import { createEscoLoaders } from '../../subgraphs/esco/loaders.js';
import { temporaryDatabase } from '../helpers/databases.js';
import { REQUIRED_SKILL_URIS, SHARED_ESCO_FOLDER, SKILL } from './helpers.js';

const URBAN_PLANNING_LAW = `${SKILL}1f632076-fd9b-4b18-a9a2-b59a59181d3e`;
const URBAN_SUSTAINABILITY = `${SKILL}538f8bc6-a5bf-422b-8112-5ad3fe9de9a0`;
const THINK_CRITICALLY = `${SKILL}7dd94ad3-13d6-43fe-8b94-51fcbf67ced9`;
const SUSTAINABLE_DEVELOPMENT_GOALS = `${SKILL}dda745dd-b8d6-45d8-8c74-e05495ce90f5`;
const WRITE_HUNGARIAN = `${SKILL}01f10952-cb59-4347-9aee-d4fbc51c870a`;
/** A broader skill of "urban sustainability" that no collection file labels (only skills_en.csv would). */
const UNLABELLED_BROADER = `${SKILL}7f18039d-dfae-471b-9daa-507f6b2d2842`;
const URBAN_PLANNER = 'http://data.europa.eu/esco/occupation/e14548c8-c2b9-4ef8-8670-d5967d7ad804';
const TRANSPORT_PLANNER = 'http://data.europa.eu/esco/occupation/93e4e70b-aae4-4fdc-8037-e48e7077564e';

const scratch: string[] = [];
function scratchFolder(files: Record<string, string>): string {
  const folder = mkdtempSync(join(tmpdir(), 'esco-import-test-'));
  scratch.push(folder);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(folder, name), content);
  return folder;
}

afterAll(() => {
  for (const folder of scratch) rmSync(folder, { recursive: true, force: true });
});

describe('importing the shared ESCO v1.2.0 files', () => {
  let orm: MikroORM;
  let drop: () => Promise<void>;
  let first: ImportSummary;
  const progress: ImportProgress[] = [];
  const loaders = () => createEscoLoaders(orm.em.fork() as SqlEntityManager, 'sqlite');

  beforeAll(async () => {
    const database = await temporaryDatabase('sqlite');
    drop = database.drop;
    orm = await openEscoDatabase(database.target);
    first = await importEsco(orm, SHARED_ESCO_FOLDER, { onProgress: (event) => progress.push(event) });
  });

  afterAll(async () => {
    await orm?.close(true);
    await drop?.();
  });

  it('imports every labelled skill of the collections, every group and occupation, and the relations', () => {
    expect(first.skills).toBe(2334);
    expect(first.skillGroups).toBe(640);
    expect(first.occupations).toBe(3039);
    expect(first.broaderRelations).toBe(20822);
    expect(first.skillRelations).toBe(5818);
    expect(first.collectionMemberships).toBeGreaterThan(2334);
    expect(first.occupationSkillRelations).toBe(0);
    expect(first.skippedRows).toBe(0);
    expect(first.version).toBe('1.2.0');
  });

  it('reports progress for every file read and every table written', () => {
    const done = progress.filter((event) => event.stage === 'read' && event.done).map((event) => (event.stage === 'read' ? event.file : ''));
    expect(done).toEqual(first.files.map((file) => file.file));
    expect(done).toContain('languageSkillsCollection_en.csv');
    expect(done).not.toContain('conceptSchemes_en.csv');
    expect(first.files.find((file) => file.file === 'broaderRelationsSkillPillar_en.csv')?.rows).toBe(20822);
    expect(progress.filter((event) => event.stage === 'write').map((event) => (event.stage === 'write' ? event.table : ''))).toContain('esco_skill');
  });

  it('keeps labels, alternative labels, types and the hierarchy of a real skill', async () => {
    const skill = await loaders().skill.load(URBAN_PLANNING_LAW);
    expect(skill?.preferredLabel).toBe('urban planning law');
    expect(skill?.altLabels).toContain('urban planning legislation');
    expect(skill?.skillType).toBe(SkillType.KNOWLEDGE);
    expect(skill?.skillTypeUri).toBe('http://data.europa.eu/snb/skill-type/knowledge');
    expect(skill?.reuseLevel).toBe(ReuseLevel.CROSS_SECTOR);
    expect(skill?.reuseLevelUri).toBe('http://data.europa.eu/snb/skill-reuse-level/cross-sector');
    const context = loaders();
    const [groups] = await Promise.all([context.broaderGroups.load(URBAN_PLANNING_LAW)]);
    expect(groups.map((group) => [group.code, group.preferredLabel])).toEqual([['0421', 'law']]);
    const above = await context.broaderGroups.load(groups[0]?.uri as string);
    expect(above.map((group) => group.code)).toEqual(['042']);
  });

  it('places urban sustainability under ISCED-F 0731 and trims labels', async () => {
    const context = loaders();
    expect((await context.broaderGroups.load(URBAN_SUSTAINABILITY)).map((group) => group.code)).toEqual(['0731']);
    const goals = await context.skill.load(SUSTAINABLE_DEVELOPMENT_GOALS);
    // The export writes "sustainable development goals " with a trailing space.
    expect(goals?.preferredLabel).toBe('sustainable development goals');
  });

  it('remembers every collection a skill came from', async () => {
    const context = loaders();
    expect(await context.collections.load(THINK_CRITICALLY)).toEqual([SkillCollection.RESEARCH, SkillCollection.TRANSVERSAL]);
    expect(await context.collections.load(URBAN_PLANNING_LAW)).toEqual([SkillCollection.GREEN]);
  });

  it('reads collection files by header name whatever their column order', async () => {
    // languageSkillsCollection_en.csv puts skillType and reuseLevel before preferredLabel.
    const skill = await loaders().skill.load(WRITE_HUNGARIAN);
    expect(skill?.preferredLabel).toBe('write Hungarian');
    expect(skill?.skillType).toBe(SkillType.SKILL_COMPETENCE);
    expect(skill?.reuseLevel).toBe(ReuseLevel.TRANSVERSAL);
    expect(skill?.altLabels).toEqual(['correspond in written Hungarian', 'show competency in written Hungarian']);
  });

  it('imports essential skill relations between labelled skills', async () => {
    const related = await loaders().relatedSkills.load(`${SKILL}1fe682ad-b8a2-44bb-a557-7eccf79b2014`);
    expect(related).toContainEqual(expect.objectContaining({ relationType: SkillRelationType.ESSENTIAL, node: expect.objectContaining({ preferredLabel: 'waste management' }) }));
  });

  it('imports occupations with codes, ISCO groups and alternative labels', async () => {
    const planner = await loaders().occupation.load(URBAN_PLANNER);
    expect(planner?.preferredLabel).toBe('urban planner');
    expect(planner?.code).toBe('2164.4');
    expect(planner?.iscoGroup).toBe('2164');
    expect(planner?.altLabels).toContain('city planner');
  });

  it('keeps relations to concepts it does not hold without returning them', async () => {
    const relation = await orm.em.fork().getConnection().execute('select count(*) as n from esco_broader_relation where narrower_uri = ? and broader_uri = ?', [
      URBAN_SUSTAINABILITY,
      UNLABELLED_BROADER,
    ]);
    expect(Number((relation as { n: number }[])[0]?.n)).toBe(1);
    expect(await loaders().broaderSkills.load(URBAN_SUSTAINABILITY)).toEqual([]);
  });

  it('changes nothing when the same folder is imported again', async () => {
    const again = await importEsco(orm, SHARED_ESCO_FOLDER);
    const { seconds: _a, ...firstCounts } = first;
    const { seconds: _b, ...againCounts } = again;
    expect(againCounts).toEqual(firstCounts);
  });

  it('adds what a larger download brings, making stored relations visible', async () => {
    // The shape of a full download: skills_en.csv (newline-separated labels) and occupationSkillRelations_en.csv.
    // The rows are test fixtures in the official format; the URIs are real ESCO URIs.
    const folder = scratchFolder({
      'skills_en.csv':
        'conceptType,conceptUri,skillType,reuseLevel,preferredLabel,altLabels,hiddenLabels,status,modifiedDate,scopeNote,definition,inScheme,description\r\n' +
        `KnowledgeSkillCompetence,${UNLABELLED_BROADER},knowledge,sector-specific,test fixture broader skill,"fixture label one\nfixture label two",,released,,,,,A fixture description.\r\n` +
        `KnowledgeSkillCompetence,${URBAN_PLANNING_LAW},knowledge,cross-sector,urban planning law,,,released,,,,,\r\n`,
      'occupationSkillRelations_en.csv':
        'occupationUri,relationType,skillType,skillUri\r\n' +
        `${URBAN_PLANNER},essential,knowledge,${URBAN_PLANNING_LAW}\r\n` +
        `${URBAN_PLANNER},optional,knowledge,${URBAN_SUSTAINABILITY}\r\n` +
        `${TRANSPORT_PLANNER},optional,knowledge,${SKILL}00000000-0000-0000-0000-000000000000\r\n`,
    });
    const larger = await importEsco(orm, folder);
    expect(larger.skills).toBe(first.skills + 1);
    expect(larger.occupationSkillRelations).toBe(3);

    const context = loaders();
    const added = await context.skill.load(UNLABELLED_BROADER);
    expect(added?.altLabels).toEqual(['fixture label one', 'fixture label two']);
    expect((await context.broaderSkills.load(URBAN_SUSTAINABILITY)).map((skill) => skill.uri)).toEqual([UNLABELLED_BROADER]);
    // An empty field in the new file does not erase what the collections said.
    const law = await context.skill.load(URBAN_PLANNING_LAW);
    expect(law?.altLabels).toContain('urban planning legislation');
    expect(law?.description).toMatch(/^Investments and urban development agreements\./);
    const ofPlanner = await context.skillsOfOccupation.load(URBAN_PLANNER);
    expect(ofPlanner.map((item) => [item.relationType, item.node.preferredLabel])).toEqual([
      [SkillRelationType.ESSENTIAL, 'urban planning law'],
      [SkillRelationType.OPTIONAL, 'urban sustainability'],
    ]);
    // The relation to an unknown skill is stored but never returned.
    expect(await context.skillsOfOccupation.load(TRANSPORT_PLANNER)).toEqual([]);
    expect((await context.occupationsOfSkill.load(URBAN_PLANNING_LAW)).map((item) => item.node.preferredLabel)).toEqual(['urban planner']);
  });

  it('rejects a folder without ESCO files, naming the folder', async () => {
    const folder = scratchFolder({ 'notes.txt': 'nothing here' });
    await expect(importEsco(orm, folder)).rejects.toThrow(`No ESCO CSV files in ${folder}`);
    await expect(importEsco(orm, join(folder, 'missing'))).rejects.toThrow('ESCO folder not found');
  });

  it('rejects a CSV without a required column, naming the file and the column, and writes nothing', async () => {
    const folder = scratchFolder({
      'greenSkillsCollection_en.csv': `conceptType,conceptUri,preferredLabel,status,skillType,reuseLevel,altLabels,description\r\nKnowledgeSkillCompetence,${SKILL}x,x,released,knowledge,,,\r\n`,
      'skillGroups_en.csv': 'conceptType,conceptUri,altLabels,status,description,code\r\nSkillGroup,http://data.europa.eu/esco/skill/y,,released,,S9\r\n',
    });
    const before = await orm.em.fork().getConnection().execute('select count(*) as n from esco_skill');
    await expect(importEsco(orm, folder)).rejects.toThrow(/skillGroups_en\.csv: required column "preferredLabel" is missing/);
    const after = await orm.em.fork().getConnection().execute('select count(*) as n from esco_skill');
    expect(after).toEqual(before);
  });
});

describe('the curated ESCO set', () => {
  let orm: MikroORM;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const database = await temporaryDatabase('sqlite');
    drop = database.drop;
    orm = await openEscoDatabase(database.target);
  });

  afterAll(async () => {
    await orm?.close(true);
    await drop?.();
  });

  it('loads into an empty database, and only into an empty one', async () => {
    const summary = await ensureEscoData(orm, quietLogger());
    expect(summary?.skills).toBeGreaterThanOrEqual(150);
    expect(summary?.skills).toBeLessThanOrEqual(250);
    expect(summary?.occupations).toBeGreaterThanOrEqual(24);
    expect(summary?.skillRelations).toBeGreaterThan(0);
    expect(summary?.skippedRows).toBe(0);
    expect(await ensureEscoData(orm, quietLogger())).toBeNull();
  });

  it('contains the eleven SDG 11 skills, with their groups up to the hierarchy roots', async () => {
    const context = createEscoLoaders(orm.em.fork() as SqlEntityManager, 'sqlite');
    const skills = await Promise.all(REQUIRED_SKILL_URIS.map((uri) => context.skill.load(uri)));
    expect(skills.map((skill) => skill?.uri)).toEqual(REQUIRED_SKILL_URIS);
    for (const uri of REQUIRED_SKILL_URIS) {
      let groups = await context.broaderGroups.load(uri);
      expect(groups.length, uri).toBeGreaterThan(0);
      // Walk up: every chain must end at a root (S, K, L or T).
      for (let depth = 0; depth < 6 && groups.length > 0; depth += 1) {
        const next = await context.broaderGroups.load(groups[0]?.uri as string);
        if (next.length === 0) expect(['S', 'K', 'L', 'T']).toContain(groups[0]?.code);
        groups = next;
      }
      expect(groups).toEqual([]);
    }
  });

  it('lists the same skill URIs as it imports', async () => {
    const uris = await curatedSkillUris();
    expect(uris).toEqual(expect.arrayContaining(REQUIRED_SKILL_URIS));
    const rows = (await orm.em.fork().getConnection().execute('select uri from esco_skill')) as { uri: string }[];
    expect(new Set(uris)).toEqual(new Set(rows.map((row) => row.uri)));
    expect(CURATED_ESCO_FOLDER).toMatch(/subgraphs[\\/]esco[\\/]data[\\/]curated$/);
  });
});
