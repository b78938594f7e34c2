/*
 * TypeScript shapes of the OEAPI v6.0 records the sync reads, written from
 * oeapi.yaml's components/schemas. Only the fields the hub uses are named;
 * the rest stay reachable through the index signature. The wire format is
 * checked by the validator against the spec itself, so these types only have
 * to agree with it, not replace it.
 */

/** LanguageTypedString: a text in one language (RFC 4647 tag, e.g. "en-GB"). */
export interface OeapiLanguageTypedString {
  language: string;
  value: string;
}

/** IdentifierEntry: a human-readable code and what kind of code it is (extensible codeType). */
export interface OeapiIdentifierEntry {
  codeType: string;
  code: string;
}

/** StudyLoadDescriptor: an amount of study load in a unit (ects, sbu, sp, hour, contact_time, x-…). */
export interface OeapiStudyLoad {
  studyLoadUnit: string;
  value: number;
}

/** Anything else a record carries, untyped. */
interface OeapiOpen {
  [field: string]: unknown;
  ext?: Record<string, unknown> | null;
}

export interface OeapiLearningOutcome extends OeapiOpen {
  learningOutcomeId: string;
  primaryCode: OeapiIdentifierEntry;
  name: OeapiLanguageTypedString[];
  description?: OeapiLanguageTypedString[] | null;
  otherCodes?: OeapiIdentifierEntry[] | null;
  /** Bloom (bloom_1…6) or SOLO (solo_0…4), extensible. */
  complexityLevel?: string | null;
  fieldsOfStudy?: string | null;
}

export interface OeapiCourse extends OeapiOpen {
  courseId: string;
  primaryCode: OeapiIdentifierEntry;
  name: OeapiLanguageTypedString[];
  abbreviation?: string | null;
  description?: OeapiLanguageTypedString[] | null;
  studyLoad?: OeapiStudyLoad[] | null;
  modesOfDelivery?: string[] | null;
  teachingLanguages?: string[] | null;
  fieldsOfStudy?: string | null;
  learningOutcomeIds?: string[] | null;
  learningOutcomes?: OeapiLearningOutcome[] | null;
  admissionRequirements?: OeapiLanguageTypedString[] | null;
  assessment?: OeapiLanguageTypedString[] | null;
  level?: string | null;
  link?: string | null;
  otherCodes?: OeapiIdentifierEntry[] | null;
  firstStartDate?: string | null;
  organisationId?: string;
}

export interface OeapiEnrolmentPeriod extends OeapiOpen {
  startDateTime: string;
  endDateTime?: string | null;
  targetGroups?: string[] | null;
}

export interface OeapiCourseOffering extends OeapiOpen {
  courseOfferingId: string;
  primaryCode: OeapiIdentifierEntry;
  name: OeapiLanguageTypedString[];
  description?: OeapiLanguageTypedString[] | null;
  /** concept, cancelled, active, inactive (extensible). */
  state?: string | null;
  teachingLanguages?: string[] | null;
  modesOfDelivery?: string[] | null;
  maxNumberStudents?: number | null;
  resultExpected?: boolean | null;
  resultValueType?: string | null;
  link?: string | null;
  otherCodes?: OeapiIdentifierEntry[] | null;
  enrolmentPeriods?: OeapiEnrolmentPeriod[] | null;
  startDateTime?: string | null;
  endDateTime?: string | null;
  academicSessionId?: string;
  courseId?: string;
  course?: OeapiCourse | null;
}

export interface OeapiPerson extends OeapiOpen {
  personId: string;
  primaryCode: OeapiIdentifierEntry;
  givenName?: string | null;
  preferredName?: string | null;
  surnamePrefix?: string | null;
  surname?: string;
  displayName?: string | null;
  activeEnrolment: boolean;
  affiliations?: string[] | null;
  email?: string | null;
  otherCodes?: OeapiIdentifierEntry[] | null;
}

/** Result (+ CourseOfferingAssociationResult's required studyLoad). */
export interface OeapiResult extends OeapiOpen {
  /** in_progress, postponed, completed, queued (extensible). */
  state: string;
  /** unknown, passed, failed (extensible). */
  pass?: string | null;
  score?: string | null;
  final?: boolean | null;
  resultDateTime: string;
  studyLoad?: OeapiStudyLoad;
}

export interface OeapiCourseOfferingAssociation extends OeapiOpen {
  associationId: string;
  /** student, lecturer, … (extensible). */
  role: string;
  /** pending, cancelled, denied, associated, queued, finished (extensible). */
  state: string;
  startDateTime?: string | null;
  expectedEndDateTime?: string | null;
  actualEndDateTime?: string | null;
  studyLoad?: OeapiStudyLoad | null;
  result?: OeapiResult | null;
  courseOfferingId?: string;
  courseOffering?: OeapiCourseOffering | null;
  personId?: string;
  person?: OeapiPerson | null;
}

/** The spec's Pagination envelope around a list page. */
export interface OeapiPage<T> {
  pageSize: number;
  pageNumber: number;
  hasPreviousPage: boolean;
  hasNextPage: boolean;
  totalPages?: number | null;
  items: T[];
  ext?: Record<string, unknown>;
}
