import { z } from 'zod';
import { type VoiceAnswer, voiceAnswerSchema } from '../conversation/parseAnswer.js';
import { type Language, languageSchema } from '../nlu/language.js';
import type { CaseStatus } from './caseStatus.js';
import { type CaseFlag, flaggedPriority } from './intakeLimits.js';
import { type Priority, triage } from './triage.js';

const optionalText = z.string().min(1).nullable().optional();
/** A free-text answer: typed, or a voice note for a question that takes one. */
const spokenText = z.union([z.string().min(1), voiceAnswerSchema]);
const optionalSpokenText = spokenText.nullable().optional();

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
  'child.build': optionalSpokenText,
  'child.hair': optionalSpokenText,
  'child.marks': optionalSpokenText,
  'child.clothing': optionalSpokenText,
  'lastSeen.at': z.iso.datetime(),
  'lastSeen.place': placeSchema,
  'lastSeen.city': optionalText,
  circumstances: spokenText,
  'abduction.suspected': z.enum(['yes', 'no', 'unknown']),
  'abduction.details': optionalSpokenText,
  'child.phone': optionalText,
  'child.hobbies': optionalSpokenText,
  'child.problems': optionalSpokenText,
  'child.places': optionalSpokenText,
  'child.friends': optionalSpokenText,
  'child.health': optionalSpokenText,
  'child.previousDisappearances': z.boolean(),
});
export type ReportAnswers = z.infer<typeof reportAnswersSchema>;

/** A voice note that answered a question of the report, kept with the case for officers. */
export interface CaseVoiceNote {
  audioId: string;
  mimeType: string;
  /** The answer it gave: the question's `store` path (`child.clothing`, `circumstances`…). */
  answer: string;
}

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
  /** What happened, in the family's words; `null` when they said it in a voice note. */
  circumstances: string | null;
  abduction: { suspected: 'yes' | 'no' | 'unknown'; details: string | null };
  /**
   * Answers given as voice notes: the answer's text field is then `null` (a
   * voice note is never public content), the note is here. Cases filed
   * before voice notes were taken have none.
   */
  voiceNotes?: CaseVoiceNote[];
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
  /** A voice note the family sent (its text is then empty), served to officers only. */
  audio?: { audioId: string; mimeType: string };
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
  const voiceNotes: CaseVoiceNote[] = [];
  /** A typed answer as it is; a voice note goes to `voiceNotes`, the field stays empty. */
  const typed = <K extends keyof ReportAnswers>(
    field: K,
    value: string | VoiceAnswer | null | undefined,
  ): string | null => {
    if (value === null || value === undefined) return null;
    if (typeof value === 'string') return value;
    voiceNotes.push({ audioId: value.audioId, mimeType: value.mimeType, answer: field });
    return null;
  };
  const lastSeenAt = new Date(answers['lastSeen.at']);
  const health = typed('child.health', answers['child.health']);
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
      build: typed('child.build', answers['child.build']),
      hair: typed('child.hair', answers['child.hair']),
      marks: typed('child.marks', answers['child.marks']),
      clothing: typed('child.clothing', answers['child.clothing']),
      phone: answers['child.phone'] ?? null,
      hobbies: typed('child.hobbies', answers['child.hobbies']),
      problems: typed('child.problems', answers['child.problems']),
      places: typed('child.places', answers['child.places']),
      friends: typed('child.friends', answers['child.friends']),
      health,
      previousDisappearances: answers['child.previousDisappearances'],
    },
    lastSeen: {
      at: lastSeenAt,
      place: answers['lastSeen.place'],
      city: answers['lastSeen.city'] ?? null,
    },
    circumstances: typed('circumstances', answers.circumstances),
    abduction: {
      suspected: abduction,
      details: typed('abduction.details', answers['abduction.details']),
    },
    consent: { given: true, at: meta.now, noticeVersion: meta.consentNoticeVersion },
    region: meta.region,
    assignedTo: null,
    officialReportNumber: null,
    voiceNotes,
    messages: [],
    notes: [],
    confirmation: null,
    closure: null,
    createdAt: meta.now,
    updatedAt: meta.now,
    history: [{ status: 'pending', at: meta.now, by: 'family' }],
  };
}
