import { readFileSync } from 'node:fs';
import type { MikroORM } from '@mikro-orm/core';
import { ConfigError } from '../../lib/config.js';
import type { Logger } from '../../lib/log.js';
import { AccreditationAuthority } from './enums.js';
import { Institution, MemberAudit } from './model.js';

/*
 * A member's profile (its institution row: name, country, accreditation
 * authority, quality assurance), which its offerings' rules and the catalogue
 * need. The demo seeds it; a member's own deployment describes itself in a
 * small JSON file (MEMBER_PROFILE_FILE, docs/members.md), written to the
 * database on start when it differs - with an audit row, since the authority
 * level decides what the member may mark credit-bearing.
 */

export interface MemberProfileFields {
  name: string;
  shortName: string | null;
  country: string;
  associate: boolean;
  accreditationAuthority: AccreditationAuthority;
  qaBody: string;
  qaArrangement: string;
  website: string | null;
}

function text(document: Record<string, unknown>, key: string, file: string, required: boolean, max = 255): string | null {
  const value = document[key];
  if (value === undefined || value === null || value === '') {
    if (required) throw new ConfigError(`${file}: "${key}" is required.`);
    return null;
  }
  if (typeof value !== 'string' || value.length > max || /[\u0000-\u001f]/.test(value)) throw new ConfigError(`${file}: "${key}" must be one line of text of at most ${max} characters.`);
  return value.trim();
}

/** Reads and checks a profile file; every mistake is one line naming the file and the field. */
export function readProfileFile(file: string): MemberProfileFields {
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`MEMBER_PROFILE_FILE ${file} could not be read as JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  if (!document || typeof document !== 'object' || Array.isArray(document)) throw new ConfigError(`${file}: must hold one JSON object.`);
  const fields = document as Record<string, unknown>;
  const known = new Set(['name', 'shortName', 'country', 'associate', 'accreditationAuthority', 'qaBody', 'qaArrangement', 'website']);
  const unknown = Object.keys(fields).filter((key) => !known.has(key));
  if (unknown.length > 0) throw new ConfigError(`${file}: unknown field(s) ${unknown.join(', ')}; the fields are ${[...known].join(', ')}.`);
  const country = text(fields, 'country', file, true) as string;
  if (!/^[A-Z]{2}$/.test(country)) throw new ConfigError(`${file}: "country" must be an ISO 3166-1 alpha-2 code such as "FI".`);
  const authority = text(fields, 'accreditationAuthority', file, true) as string;
  if (!(Object.values(AccreditationAuthority) as string[]).includes(authority)) throw new ConfigError(`${file}: "accreditationAuthority" must be one of ${Object.values(AccreditationAuthority).join(', ')}.`);
  if (fields['associate'] !== undefined && typeof fields['associate'] !== 'boolean') throw new ConfigError(`${file}: "associate" must be true or false.`);
  const website = text(fields, 'website', file, false, 512);
  if (website !== null && !/^https?:\/\/\S+$/.test(website)) throw new ConfigError(`${file}: "website" must be an http(s) address.`);
  return {
    name: text(fields, 'name', file, true) as string,
    shortName: text(fields, 'shortName', file, false, 64),
    country,
    associate: fields['associate'] === true,
    accreditationAuthority: authority as AccreditationAuthority,
    qaBody: text(fields, 'qaBody', file, true) as string,
    qaArrangement: text(fields, 'qaArrangement', file, true, 2_000) as string,
    website,
  };
}

/** Writes the profile when the database has none or another one; says what it did. */
export async function applyProfile(orm: MikroORM, memberId: string, profile: MemberProfileFields, logger: Logger): Promise<'created' | 'updated' | 'unchanged'> {
  const em = orm.em.fork();
  const existing = await em.findOne(Institution, { id: memberId });
  const before = existing
    ? { name: existing.name, shortName: existing.shortName ?? null, country: existing.country, associate: existing.associate, accreditationAuthority: existing.accreditationAuthority, qaBody: existing.qaBody, qaArrangement: existing.qaArrangement, website: existing.website ?? null }
    : null;
  if (before && JSON.stringify(before) === JSON.stringify(profile)) return 'unchanged';
  const now = new Date();
  await em.transactional(async (tx) => {
    if (existing) Object.assign((await tx.findOne(Institution, { id: memberId })) as Institution, profile);
    else tx.create(Institution, { id: memberId, ...profile } as never);
    tx.create(MemberAudit, {
      at: now,
      actorSubject: 'config:MEMBER_PROFILE_FILE',
      actorRoles: '',
      actorMemberId: memberId,
      actorLearnerId: null,
      action: 'setProfile',
      entityType: 'Institution',
      entityId: memberId,
      before: before ? JSON.stringify(before) : null,
      after: JSON.stringify(profile),
    } as never);
  });
  const outcome = existing ? 'updated' : 'created';
  logger.info(`profile of ${memberId} ${outcome} from MEMBER_PROFILE_FILE (accreditation authority ${profile.accreditationAuthority})`);
  return outcome;
}
