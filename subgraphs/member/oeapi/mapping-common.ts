import type { OeapiIdentifierEntry, OeapiLanguageTypedString, OeapiStudyLoad } from './types.js';

/*
 * Pieces shared by the OEAPI → hub mappings (pure functions, no I/O): texts
 * in several languages, study load, dates, language tags and ESCO URIs.
 * Every choice is documented in README.md's field tables.
 */

/** Something the hub should know about a mapped record. "error": a required hub field has no value, the record cannot be written as it is. */
export interface MappingWarning {
  code: string;
  field: string;
  message: string;
  severity: 'warning' | 'error';
}

/** A value the source had that the mapping could not carry over. */
export interface UnmappedValue {
  field: string;
  value: unknown;
  reason: string;
}

export interface Mapped<T> {
  record: T;
  warnings: MappingWarning[];
  unmapped: UnmappedValue[];
}

/** Collects warnings and unmapped values while a record is built. */
export class MappingNotes {
  readonly warnings: MappingWarning[] = [];
  readonly unmapped: UnmappedValue[] = [];

  warn(code: string, field: string, message: string, severity: 'warning' | 'error' = 'warning'): void {
    this.warnings.push({ code, field, message, severity });
  }

  error(code: string, field: string, message: string): void {
    this.warn(code, field, message, 'error');
  }

  skip(field: string, value: unknown, reason: string): void {
    this.unmapped.push({ field, value, reason });
  }

  result<T>(record: T): Mapped<T> {
    return { record, warnings: this.warnings, unmapped: this.unmapped };
  }
}

/** The spec's own conversion (studyloadUnit: "typically 1 ECTS = 28 study hours"); DOMAIN.md gives 25–30. */
export const DEFAULT_HOURS_PER_ECTS = 28;

function languageMatches(tag: string, preferred: string): boolean {
  const lower = tag.toLowerCase();
  return lower === preferred || lower.startsWith(`${preferred}-`);
}

/**
 * The text of a LanguageTypedString array in the preferred language (a tag
 * or its prefix: "en" matches "en-GB"), else the first non-empty entry with
 * a warning. Null for a missing or empty array.
 */
export function pickText(texts: readonly OeapiLanguageTypedString[] | null | undefined, field: string, notes: MappingNotes, preferred = 'en'): string | null {
  const usable = (texts ?? []).filter((entry) => typeof entry?.value === 'string' && entry.value.trim() !== '');
  if (usable.length === 0) return null;
  const match = usable.find((entry) => languageMatches(entry.language, preferred.toLowerCase()));
  if (match) return match.value.trim();
  const first = usable[0] as OeapiLanguageTypedString;
  notes.warn('NO_PREFERRED_LANGUAGE', field, `No "${preferred}" text; used the "${first.language}" one.`);
  return first.value.trim();
}

/** The calendar date of an RFC 3339 date or date-time as written at its source (the offset is not applied: 00:30+02:00 stays that day). */
export function localDate(value: string | null | undefined, field: string, notes: MappingNotes): string | null {
  if (value === null || value === undefined) return null;
  const match = /^(\d{4}-\d{2}-\d{2})(?:$|[Tt ])/.exec(value);
  if (!match || Number.isNaN(Date.parse(`${match[1]}T00:00:00Z`))) {
    notes.skip(field, value, 'not an RFC 3339 date or date-time');
    return null;
  }
  return match[1] as string;
}

export interface Workload {
  ects: number | null;
  workloadHours: number | null;
  /** True when the source states credits (ECTS or study points), not only hours. */
  creditBearing: boolean;
}

const round1 = (value: number): number => Math.round(value * 10) / 10;

/**
 * Study load → ECTS and hours. Credits come from `ects` or `sp` (a Dutch or
 * Flemish studiepunt is one ECTS credit by definition); hours from `sbu`
 * (study load hours) or `hour`. Whichever is missing is derived at
 * `hoursPerEcts`. `contact_time` is classroom time, not workload, and is
 * never converted.
 */
export function workloadOf(loads: readonly OeapiStudyLoad[] | null | undefined, field: string, notes: MappingNotes, hoursPerEcts = DEFAULT_HOURS_PER_ECTS): Workload {
  let credits: number | undefined;
  let hours: number | undefined;
  (loads ?? []).forEach((load, index) => {
    const where = `${field}[${index}]`;
    if (typeof load.value !== 'number' || !Number.isFinite(load.value) || load.value < 0) {
      notes.skip(where, load, 'not a non-negative number');
      return;
    }
    switch (load.studyLoadUnit) {
      case 'ects':
      case 'sp':
        credits ??= load.value;
        return;
      case 'sbu':
      case 'hour':
        hours ??= load.value;
        return;
      case 'contact_time':
        notes.skip(where, load, 'contact time is classroom time, not notional workload: not converted');
        return;
      default:
        notes.skip(where, load, `unknown study load unit "${load.studyLoadUnit}"`);
    }
  });
  if (credits === undefined && hours === undefined) {
    notes.error('NO_WORKLOAD', field, 'No study load in ECTS, study points or hours (Annex I element 7 needs the notional workload).');
    return { ects: null, workloadHours: null, creditBearing: false };
  }
  if (credits === undefined) {
    notes.warn('ECTS_FROM_HOURS', field, `Only hours given: ECTS derived at ${hoursPerEcts} hours per credit; not credit-bearing.`);
    return { ects: round1((hours as number) / hoursPerEcts), workloadHours: Math.round(hours as number), creditBearing: false };
  }
  return { ects: credits, workloadHours: Math.round(hours ?? credits * hoursPerEcts), creditBearing: credits > 0 };
}

/** ISO 639-2/3 codes that RFC 4647 tags may use, for the languages of the alliance and its neighbours. */
const ISO_639_3_TO_1: Record<string, string> = {
  eng: 'en', nld: 'nl', dut: 'nl', deu: 'de', ger: 'de', fra: 'fr', fre: 'fr', spa: 'es', cat: 'ca', ita: 'it', por: 'pt', fin: 'fi', swe: 'sv',
  nor: 'no', nob: 'nb', nno: 'nn', dan: 'da', lit: 'lt', est: 'et', lav: 'lv', pol: 'pl', gle: 'ga', isl: 'is', ces: 'cs', cze: 'cs', slk: 'sk',
  slo: 'sk', slv: 'sl', hun: 'hu', ron: 'ro', rum: 'ro', bul: 'bg', ell: 'el', gre: 'el', hrv: 'hr', srp: 'sr', ukr: 'uk', rus: 'ru', tur: 'tr',
  ara: 'ar', zho: 'zh', chi: 'zh', jpn: 'ja', kor: 'ko', eus: 'eu', baq: 'eu', glg: 'gl', fry: 'fy', smi: 'se', sme: 'se',
};

/** RFC 4647 tags → the hub's ISO 639-1 codes (primary subtag), de-duplicated, order kept. */
export function languageCodes(tags: readonly string[] | null | undefined, field: string, notes: MappingNotes): string[] {
  const codes: string[] = [];
  (tags ?? []).forEach((tag, index) => {
    const primary = tag.split('-')[0]?.toLowerCase() ?? '';
    const code = primary.length === 2 ? primary : ISO_639_3_TO_1[primary];
    if (!code) notes.skip(`${field}[${index}]`, tag, 'no ISO 639-1 code for this language');
    else if (!codes.includes(code)) codes.push(code);
  });
  return codes;
}

const ESCO_SKILL = /^https?:\/\/data\.europa\.eu\/esco\/skill\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/** The ESCO skill URIs among a record's codes (any codeType), normalised to ESCO's own http://…/skill/<lower-case uuid>. */
export function escoSkillUris(codes: readonly (OeapiIdentifierEntry | null | undefined)[]): string[] {
  const uris: string[] = [];
  for (const entry of codes) {
    const match = entry && typeof entry.code === 'string' ? ESCO_SKILL.exec(entry.code.trim()) : null;
    const uri = match ? `http://data.europa.eu/esco/skill/${(match[1] as string).toLowerCase()}` : undefined;
    if (uri && !uris.includes(uri)) uris.push(uri);
  }
  return uris;
}
