import { AccreditationAuthority } from '../subgraphs/member/enums.js';

/**
 * The ECIU alliance's members as published (DOMAIN.md): id (web domain), name,
 * country and accreditation authority level, plus the national
 * quality-assurance arrangement and grading scheme each member works under.
 * Used to seed the embedded default and the demo data; in production each
 * member's own database holds its profile.
 */
export interface MemberProfile {
  id: string;
  name: string;
  shortName: string;
  country: string;
  associate: boolean;
  accreditationAuthority: AccreditationAuthority;
  qaBody: string;
  qaArrangement: string;
  website: string;
  /** Grading scheme code (subgraphs/member/grading.ts). */
  gradingScheme: string;
  city: string;
  /** Local language of instruction besides English (ISO 639-1). */
  language: string;
  /** Body that accredits offerings externally where the member cannot (level NONE). */
  externalAccreditor?: string;
}

export const ALLIANCE_MEMBERS: readonly MemberProfile[] = [
  {
    id: 'utwente.nl', name: 'University of Twente', shortName: 'UT', country: 'NL', associate: false,
    accreditationAuthority: AccreditationAuthority.NONE,
    qaBody: 'NVAO (Accreditation Organisation of the Netherlands and Flanders)', qaArrangement: 'Institutional audit and programme accreditation',
    website: 'https://www.utwente.nl', gradingScheme: 'nl-1-10', city: 'Enschede', language: 'nl', externalAccreditor: 'NVAO',
  },
  {
    id: 'aau.dk', name: 'Aalborg University', shortName: 'AAU', country: 'DK', associate: false,
    accreditationAuthority: AccreditationAuthority.SEMI_PREQUALIFIED,
    qaBody: 'Danish Accreditation Institution', qaArrangement: 'Institutional accreditation',
    website: 'https://www.aau.dk', gradingScheme: 'dk-7', city: 'Aalborg', language: 'da',
  },
  {
    id: 'dcu.ie', name: 'Dublin City University', shortName: 'DCU', country: 'IE', associate: false,
    accreditationAuthority: AccreditationAuthority.FULL,
    qaBody: 'QQI (Quality and Qualifications Ireland)', qaArrangement: 'Institutional review (CINNTE)',
    website: 'https://www.dcu.ie', gradingScheme: 'ie-percent', city: 'Dublin', language: 'ga',
  },
  {
    id: 'tuhh.de', name: 'Hamburg University of Technology', shortName: 'TUHH', country: 'DE', associate: false,
    accreditationAuthority: AccreditationAuthority.NONE,
    qaBody: 'German Accreditation Council (Akkreditierungsrat)', qaArrangement: 'Programme accreditation by a registered agency',
    website: 'https://www.tuhh.de', gradingScheme: 'de-1-5', city: 'Hamburg', language: 'de', externalAccreditor: 'ASIIN',
  },
  {
    id: 'ktu.edu', name: 'Kaunas University of Technology', shortName: 'KTU', country: 'LT', associate: false,
    accreditationAuthority: AccreditationAuthority.MICRO_CREDENTIALS_ONLY,
    qaBody: 'SKVC (Centre for Quality Assessment in Higher Education)', qaArrangement: 'Institutional review',
    website: 'https://ktu.edu', gradingScheme: 'lt-1-10', city: 'Kaunas', language: 'lt',
  },
  {
    id: 'liu.se', name: 'Linköping University', shortName: 'LiU', country: 'SE', associate: false,
    accreditationAuthority: AccreditationAuthority.SEMI_PROGRAMMES,
    qaBody: 'UKÄ (Swedish Higher Education Authority)', qaArrangement: 'Institutional review of quality assurance processes',
    website: 'https://liu.se', gradingScheme: 'se-a-f', city: 'Linköping', language: 'sv',
  },
  {
    id: 'tuni.fi', name: 'Tampere University', shortName: 'TAU', country: 'FI', associate: false,
    accreditationAuthority: AccreditationAuthority.FULL,
    qaBody: 'FINEEC (Finnish Education Evaluation Centre)', qaArrangement: 'Audit of the quality system',
    website: 'https://www.tuni.fi', gradingScheme: 'fi-0-5', city: 'Tampere', language: 'fi',
  },
  {
    id: 'uab.cat', name: 'Universitat Autònoma de Barcelona', shortName: 'UAB', country: 'ES', associate: false,
    accreditationAuthority: AccreditationAuthority.MICRO_CREDENTIALS_ONLY,
    qaBody: 'AQU Catalunya (Catalan University Quality Assurance Agency)', qaArrangement: 'Institutional accreditation',
    website: 'https://www.uab.cat', gradingScheme: 'es-0-10', city: 'Barcelona', language: 'es',
  },
  {
    id: 'ua.pt', name: 'University of Aveiro', shortName: 'UA', country: 'PT', associate: false,
    accreditationAuthority: AccreditationAuthority.MICRO_CREDENTIALS_ONLY,
    qaBody: 'A3ES (Agency for Assessment and Accreditation of Higher Education)', qaArrangement: 'Institutional accreditation',
    website: 'https://www.ua.pt', gradingScheme: 'pt-0-20', city: 'Aveiro', language: 'pt',
  },
  {
    id: 'uis.no', name: 'University of Stavanger', shortName: 'UiS', country: 'NO', associate: false,
    accreditationAuthority: AccreditationAuthority.FULL,
    qaBody: 'NOKUT (Norwegian Agency for Quality Assurance in Education)', qaArrangement: 'Institutional accreditation and periodic supervision',
    website: 'https://www.uis.no', gradingScheme: 'no-a-f', city: 'Stavanger', language: 'nb',
  },
  {
    id: 'unitn.it', name: 'University of Trento', shortName: 'UniTrento', country: 'IT', associate: false,
    accreditationAuthority: AccreditationAuthority.NONE,
    qaBody: 'ANVUR (National Agency for the Evaluation of Universities and Research Institutes)', qaArrangement: 'Periodic accreditation (AVA)',
    website: 'https://www.unitn.it', gradingScheme: 'it-18-30', city: 'Trento', language: 'it', externalAccreditor: 'ANVUR',
  },
  {
    id: 'groupe-insa.fr', name: 'INSA Group (Institut National des Sciences Appliquées)', shortName: 'INSA', country: 'FR', associate: false,
    accreditationAuthority: AccreditationAuthority.NONE,
    qaBody: "CTI (Commission des titres d'ingénieur) and Hcéres", qaArrangement: 'Periodic evaluation and accreditation of engineering degrees',
    website: 'https://www.groupe-insa.fr', gradingScheme: 'fr-0-20', city: 'Lyon', language: 'fr', externalAccreditor: 'CTI',
  },
  {
    id: 'tec.mx', name: 'Tecnológico de Monterrey', shortName: 'Tec', country: 'MX', associate: true,
    accreditationAuthority: AccreditationAuthority.NOT_ASSESSED,
    qaBody: 'SACSCOC (Southern Association of Colleges and Schools Commission on Colleges)', qaArrangement: 'Institutional accreditation',
    website: 'https://tec.mx', gradingScheme: 'mx-0-100', city: 'Monterrey', language: 'es',
  },
];

export function memberProfile(id: string): MemberProfile | undefined {
  return ALLIANCE_MEMBERS.find((member) => member.id === id);
}
