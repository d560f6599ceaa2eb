import { z } from 'zod';
import type { NewCase, Place } from '../case/report.js';
import type { Language } from '../nlu/language.js';
import { haversineKm } from '../place/gazetteer.js';

/** One step of the staged widening: from `afterMinutes` after approval, reach `radiusKm`. */
export const alertStageSchema = z.strictObject({
  afterMinutes: z
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 60),
  radiusKm: z.number().min(1).max(1000),
});
export type AlertStage = z.infer<typeof alertStageSchema>;

/**
 * Stages must start at once and widen strictly over time; anything else would
 * let a later stage shrink the area or two stages fire together.
 */
export const alertStagesSchema = z
  .array(alertStageSchema)
  .min(1)
  .max(6)
  .superRefine((stages, ctx) => {
    if (stages[0]?.afterMinutes !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: [0, 'afterMinutes'],
        message: 'the first stage starts at once (0)',
      });
    }
    for (let i = 1; i < stages.length; i++) {
      const previous = stages[i - 1];
      const stage = stages[i];
      if (!previous || !stage) continue;
      if (stage.afterMinutes <= previous.afterMinutes || stage.radiusKm <= previous.radiusKm) {
        ctx.addIssue({
          code: 'custom',
          path: [i],
          message: 'each stage comes later and reaches farther than the one before',
        });
      }
    }
  });

/** The published defaults: near the place at once, then wider (about 160 km in the end). */
export const DEFAULT_ALERT_STAGES: readonly AlertStage[] = [
  { afterMinutes: 0, radiusKm: 20 },
  { afterMinutes: 120, radiusKm: 80 },
  { afterMinutes: 360, radiusKm: 160 },
];

/** Where an alert is; the circle's centre defaults to the place last seen. */
export interface GeoPoint {
  lat: number;
  lon: number;
}

/**
 * What the public may see of a case (the public projection): first name, age, sex, photo,
 * description, clothing, place and time last seen. Never hobbies, personal
 * problems, health, family details or phone numbers.
 */
export interface PublicProjection {
  firstName: string;
  age: { years: number; months?: number };
  sex: 'boy' | 'girl';
  heightCm: number | null;
  build: string | null;
  hair: string | null;
  marks: string | null;
  clothing: string | null;
  lastSeen: { at: string; place: string | null; city: string | null };
  hasPhoto: boolean;
}

/** The fields of a case the projection reads (nothing else is even looked at). */
export interface ProjectableCase {
  child: Pick<
    NewCase['child'],
    'fullName' | 'sex' | 'age' | 'photoId' | 'heightCm' | 'build' | 'hair' | 'marks' | 'clothing'
  >;
  lastSeen: { at: Date | string; place: Place; city: string | null };
}

/** A phone number written in free text: Western or Arabic-Indic digits, with separators. */
const PHONE_NUMBER = /(?:\+|00)?[\d٠-٩۰-۹](?:[\s.-]?[\d٠-٩۰-۹]){7,}/g;

/**
 * What a family typed, as the public may read it: a phone number slipped
 * into a description ("appelez le 06…") is cut out, since alert content
 * never carries one.
 */
function publicText(text: string | null): string | null {
  if (text === null) return null;
  const cleaned = text.replace(PHONE_NUMBER, '…').trim();
  return cleaned === '' || cleaned === '…' ? null : cleaned;
}

/** The public projection of a case; pure, and the only way alert content is made. */
export function publicProjection(source: ProjectableCase): PublicProjection {
  const { child, lastSeen } = source;
  const place = publicText(
    lastSeen.place.kind === 'pin' ? (lastSeen.place.name ?? null) : lastSeen.place.text,
  );
  return {
    firstName: child.fullName.trim().split(/\s+/)[0] ?? child.fullName,
    age: child.age.months === undefined ? { years: child.age.years } : child.age,
    sex: child.sex,
    heightCm: child.heightCm,
    build: publicText(child.build),
    hair: publicText(child.hair),
    marks: publicText(child.marks),
    clothing: publicText(child.clothing),
    lastSeen: {
      at: new Date(lastSeen.at).toISOString(),
      place,
      city: publicText(lastSeen.city),
    },
    hasPhoto: child.photoId !== null,
  };
}

export const ALERT_STATES = ['proposed', 'active', 'ended'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/** Why an alert ended; decides the closing message recipients get. */
export const ALERT_END_REASONS = ['cancelled', 'expired', 'resolved'] as const;
export type AlertEndReason = (typeof ALERT_END_REASONS)[number];

/** The alert text in each language, as the officer last edited it. */
export type AlertTexts = Record<Language, string>;

/** A CAP message published for an alert (the chain `references` points into). */
export interface CapRecord {
  identifier: string;
  msgType: 'Alert' | 'Update' | 'Cancel';
  sent: string;
  /** The stage the message announced (the last one for Cancel). */
  stage: number;
}

/** An alert as stored. */
export interface Alert {
  _id: string;
  caseId: string;
  caseReference: string;
  region: string | null;
  state: AlertState;
  endReason: AlertEndReason | null;
  centre: GeoPoint;
  stages: AlertStage[];
  /** How long the alert lasts after approval, in hours (extensions add to it). */
  windowHours: number;
  abductionSuspected: boolean;
  content: PublicProjection;
  photoId: string | null;
  texts: AlertTexts;
  proposedBy: string;
  proposedAt: Date;
  approvedBy: string | null;
  approvedAt: Date | null;
  expiresAt: Date | null;
  endedBy: string | null;
  endedAt: Date | null;
  /** How many stages have been enqueued (0 before approval). */
  stagesQueued: number;
  /** Whether the closing messages have been enqueued. */
  closingQueued: boolean;
  cap: CapRecord[];
}

/** The stage in force at `now`: the last one whose time has come (index), or -1 before approval. */
export function stageAt(alert: Pick<Alert, 'stages' | 'approvedAt'>, now: Date): number {
  if (!alert.approvedAt) return -1;
  const minutes = (now.getTime() - new Date(alert.approvedAt).getTime()) / 60_000;
  let current = -1;
  alert.stages.forEach((stage, index) => {
    if (minutes >= stage.afterMinutes) current = index;
  });
  return current;
}

/** Whether a cell's centre lies inside a stage's circle. */
export function insideStage(centre: GeoPoint, stage: AlertStage, point: GeoPoint): boolean {
  return haversineKm(centre, point) <= stage.radiusKm;
}

/** A phone number other than the police's short numbers, which alert text must never carry. */
export function containsPhoneNumber(text: string): boolean {
  const digits = text
    .replace(/[٠-٩]/g, (d) => String(d.charCodeAt(0) - 0x0660))
    .replace(/[۰-۹]/g, (d) => String(d.charCodeAt(0) - 0x06f0))
    // A case reference (TF-2026-000123) is ten digits with separators, not a number to call.
    .replace(/\b[A-Za-z]{1,12}-\d{4}-\d{6,}\b/g, ' ');
  return /(?:\+|00)?\d(?:[\s.-]?\d){7,}/.test(digits);
}
