import { z } from 'zod';
import { type Language, languageSchema } from '../nlu/language.js';
import type { CaseStatus } from './caseStatus.js';
import { type CaseFlag, flaggedPriority } from './intakeLimits.js';
import { type Priority, triage } from './triage.js';

const optionalText = z.string().min(1).nullable().optional();

export const placeSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('pin'),
    latitude: z.number().min(-90).max(90),
    longitude: z.number().min(-180).max(180),
    name: z.string().optional(),
  }),
  z.object({ kind: z.literal('description'), text: z.string().min(1) }),
]);
export type Place = z.infer<typeof placeSchema>;

/**
 * The answers of flows/report.yaml as they must be at submission, keyed by
 * their `store` paths. Parsing here (not trusting the conversation state)
 * means a trainer's change to the flow that drops a required answer fails
 * loudly instead of creating a half-empty case.
 */
export const reportAnswersSchema = z.object({
  'consent.given': z.literal(true),
  'reporter.relationship': z.enum(['parent', 'guardian']),
  'reporter.name': z.string().min(1),
  'child.fullName': z.string().min(1),
  'child.sex': z.enum(['boy', 'girl']),
  'child.age': z.object({
    years: z.number().int().min(0).max(17),
    months: z.number().int().min(0).max(24).optional(),
  }),
  'child.photo': z.object({ photoId: z.string(), mimeType: z.string() }).nullable().optional(),
  'child.heightCm': z.number().nullable().optional(),
  'child.build': optionalText,
  'child.hair': optionalText,
  'child.marks': optionalText,
  'child.clothing': optionalText,
  'lastSeen.at': z.iso.datetime(),
  'lastSeen.place': placeSchema,
  'lastSeen.city': optionalText,
  circumstances: z.string().min(1),
  'abduction.suspected': z.enum(['yes', 'no', 'unknown']),
  'abduction.details': optionalText,
  'child.phone': optionalText,
  'child.hobbies': optionalText,
  'child.problems': optionalText,
  'child.places': optionalText,
  'child.friends': optionalText,
  'child.health': optionalText,
  'child.previousDisappearances': z.boolean(),
});
export type ReportAnswers = z.infer<typeof reportAnswersSchema>;

/** Who filed the report and where to reach them. */
export interface ReportMeta {
  draftId: string;
  reference: string;
  language: Language;
  channel: string;
  /** The family's address on the channel (E.164 phone for WhatsApp and the dev channel). */
  reporterAddress: string;
  now: Date;
  consentNoticeVersion: number;
  /** The region whose officers handle the case (from the place last seen), if known. */
  region: string | null;
  /** Why officers should look twice (the number floods); none for most reports. */
  flags?: CaseFlag[];
}

/** A case as first stored, before any officer touched it. */
export interface NewCase {
  reference: string;
  draftId: string;
  status: Extract<CaseStatus, 'pending'>;
  priority: Priority;
  /**
   * Why officers should look twice (a flagged case ranks after real ones of
   * equal priority); absent on cases stored before flags existed.
   */
  flags?: CaseFlag[];
  language: Language;
  channel: string;
  reporter: { address: string; name: string; relationship: 'parent' | 'guardian' };
  child: {
    fullName: string;
    sex: 'boy' | 'girl';
    age: { years: number; months?: number };
    photoId: string | null;
    heightCm: number | null;
    build: string | null;
    hair: string | null;
    marks: string | null;
    clothing: string | null;
    phone: string | null;
    hobbies: string | null;
    problems: string | null;
    places: string | null;
    friends: string | null;
    health: string | null;
    previousDisappearances: boolean;
  };
  lastSeen: { at: Date; place: Place; city: string | null };
  circumstances: string;
  abduction: { suspected: 'yes' | 'no' | 'unknown'; details: string | null };
  consent: { given: true; at: Date; noticeVersion: number };
  region: string | null;
  assignedTo: string | null;
  officialReportNumber: string | null;
  messages: CaseMessage[];
  notes: CaseNote[];
  confirmation: { checklist: Record<string, boolean>; by: string; at: Date } | null;
  closure: { reason: string; by: string; at: Date } | null;
  createdAt: Date;
  updatedAt: Date;
  history: Array<{ status: CaseStatus; at: Date; by: 'family' | string }>;
}

/** A message between the family and the officers, kept in the case. */
export interface CaseMessage {
  id: string;
  from: 'family' | 'officer';
  text: string;
  at: Date;
  officer?: string;
}

/** An officer's note on a case (not shown to the family). */
export interface CaseNote {
  id: string;
  text: string;
  at: Date;
  officer: string;
}

/** Builds the pending case from a submitted report; pure. */
export function caseFromReport(answers: ReportAnswers, meta: ReportMeta): NewCase {
  const lastSeenAt = new Date(answers['lastSeen.at']);
  const health = answers['child.health'] ?? null;
  const abduction = answers['abduction.suspected'];
  const age = answers['child.age'];
  return {
    reference: meta.reference,
    draftId: meta.draftId,
    status: 'pending',
    priority: flaggedPriority(
      triage({
        ageYears: age.years,
        hasHealthNeeds: health !== null,
        abduction,
        lastSeenAt,
        now: meta.now,
      }),
      meta.flags ?? [],
    ),
    flags: meta.flags ?? [],
    language: languageSchema.parse(meta.language),
    channel: meta.channel,
    reporter: {
      address: meta.reporterAddress,
      name: answers['reporter.name'],
      relationship: answers['reporter.relationship'],
    },
    child: {
      fullName: answers['child.fullName'],
      sex: answers['child.sex'],
      age,
      photoId: answers['child.photo']?.photoId ?? null,
      heightCm: answers['child.heightCm'] ?? null,
      build: answers['child.build'] ?? null,
      hair: answers['child.hair'] ?? null,
      marks: answers['child.marks'] ?? null,
      clothing: answers['child.clothing'] ?? null,
      phone: answers['child.phone'] ?? null,
      hobbies: answers['child.hobbies'] ?? null,
      problems: answers['child.problems'] ?? null,
      places: answers['child.places'] ?? null,
      friends: answers['child.friends'] ?? null,
      health,
      previousDisappearances: answers['child.previousDisappearances'],
    },
    lastSeen: {
      at: lastSeenAt,
      place: answers['lastSeen.place'],
      city: answers['lastSeen.city'] ?? null,
    },
    circumstances: answers.circumstances,
    abduction: { suspected: abduction, details: answers['abduction.details'] ?? null },
    consent: { given: true, at: meta.now, noticeVersion: meta.consentNoticeVersion },
    region: meta.region,
    assignedTo: null,
    officialReportNumber: null,
    messages: [],
    notes: [],
    confirmation: null,
    closure: null,
    createdAt: meta.now,
    updatedAt: meta.now,
    history: [{ status: 'pending', at: meta.now, by: 'family' }],
  };
}
