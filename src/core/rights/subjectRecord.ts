import { OPEN_STATUSES } from '../case/caseLifecycle.js';
import type { CaseStatus } from '../case/caseStatus.js';
import type { Place } from '../case/report.js';
import { key, lines, num, raw, type Text } from '../conversation/text.js';
import { RETENTION } from '../retention.js';

/**
 * What one number gave Tifli, as its owner may see it (Law 09-08, art. 7):
 * the report's answers, the case's reference and status, the subscription
 * with its coarse area, the sightings sent. It never holds what the police
 * wrote for themselves (notes, triage, the checklist, who worked on it) nor
 * anything about other people (sightings others sent about the case).
 */
export interface SubjectRecord {
  cases: SubjectCase[];
  subscription: SubjectSubscription | null;
  sightings: SubjectSighting[];
}

/** A report this number filed, as the family gave it. */
export interface SubjectCase {
  id: string;
  reference: string;
  status: CaseStatus;
  region: string | null;
  createdAt: Date;
  /** The last change: a closed case is deleted {@link RETENTION.closedCaseMs} after it. */
  updatedAt: Date;
  reporter: { name: string; relationship: 'parent' | 'guardian' };
  child: {
    fullName: string;
    sex: 'boy' | 'girl';
    ageYears: number;
    hasPhoto: boolean;
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
  };
  lastSeen: { at: Date; place: Place; city: string | null };
  /** `null` when the family answered with a voice note. */
  circumstances: string | null;
  /** The answers the family gave as voice notes, by path (`child.clothing`, `circumstances`). */
  voiceAnswers: readonly string[];
  /** How many messages the family and the officer exchanged about it (the family has them). */
  messages: number;
  /** Corrections the family asked for and an officer applied, oldest first. */
  corrections: string[];
}

/** The number's subscription to alerts: only its coarse area. */
export interface SubjectSubscription {
  status: 'active' | 'stopped';
  area: { kind: 'cell' } | { kind: 'city'; names: { fr: string; ar: string } } | null;
  createdAt: Date;
  stoppedAt: Date | null;
}

/** A sighting this number sent. */
export interface SubjectSighting {
  id: string;
  caseId: string;
  /** The region of the case it is about (who decides its erasure; never shown). */
  region: string | null;
  createdAt: Date;
  seenAt: Date;
  place: Place;
  description: string;
  hasPhoto: boolean;
  mayCallBack: boolean;
}

/** Whether nothing at all is stored about the number (beyond this conversation). */
export const isEmptyRecord = (record: SubjectRecord): boolean =>
  record.cases.length === 0 && record.subscription === null && record.sightings.length === 0;

const at = (date: Date): Text => ({ kind: 'dateTime', iso: date.toISOString() });
const orSkipped = (value: string | null): Text =>
  value === null ? key('common:values.skipped') : raw(value);
const placeText = (place: Place, city: string | null): Text => {
  if (place.kind === 'description') return raw(city ? `${place.text} (${city})` : place.text);
  return place.name
    ? key('common:values.location_pin_named', { name: raw(place.name) })
    : key('common:values.location_pin');
};

/** When a case's data goes: never while open, else two years after its last change. */
function caseDeletion(found: SubjectCase): Text {
  if (OPEN_STATUSES.some((open) => open === found.status))
    return key('rights:access.case_kept_open');
  return key('rights:access.case_deleted_on', {
    date: at(new Date(found.updatedAt.getTime() + RETENTION.closedCaseMs)),
  });
}

function describeCase(found: SubjectCase): Text {
  const { child } = found;
  /** A field the family left out, or answered with a voice note (kept with the case, not as text). */
  const answer = (path: string, value: string | null): Text =>
    value === null && found.voiceAnswers.includes(path)
      ? key('media:voice.attached')
      : orSkipped(value);
  return lines(
    key('rights:access.case_title', {
      reference: raw(found.reference),
      status: key(`rights:access.status.${found.status}`),
      date: at(found.createdAt),
    }),
    key('rights:access.field.reporter', {
      name: raw(found.reporter.name),
      relationship: key(`rights:access.relationship.${found.reporter.relationship}`),
    }),
    key('rights:access.field.child', {
      name: raw(child.fullName),
      sex: key(`rights:access.sex.${child.sex}`),
      age: key('common:values.age_years', { count: num(child.ageYears) }),
    }),
    key('rights:access.field.photo', {
      value: key(child.hasPhoto ? 'common:values.yes' : 'common:values.no'),
    }),
    key('rights:access.field.description', {
      height:
        child.heightCm === null
          ? key('common:values.skipped')
          : key('common:values.height_cm', { count: num(child.heightCm) }),
      build: answer('child.build', child.build),
      hair: answer('child.hair', child.hair),
      marks: answer('child.marks', child.marks),
      clothing: answer('child.clothing', child.clothing),
    }),
    key('rights:access.field.last_seen', {
      date: at(found.lastSeen.at),
      place: placeText(found.lastSeen.place, found.lastSeen.city),
    }),
    key('rights:access.field.circumstances', {
      value: answer('circumstances', found.circumstances),
    }),
    key('rights:access.field.life', {
      hobbies: answer('child.hobbies', child.hobbies),
      problems: answer('child.problems', child.problems),
      places: answer('child.places', child.places),
      friends: answer('child.friends', child.friends),
      health: answer('child.health', child.health),
      phone: orSkipped(child.phone),
    }),
    key('rights:access.field.messages', { count: num(found.messages) }),
    ...found.corrections.map((text) => key('rights:access.field.correction', { value: raw(text) })),
    caseDeletion(found),
  );
}

function describeSubscription(subscription: SubjectSubscription): Text {
  if (subscription.status === 'stopped' || subscription.area === null) {
    const stoppedAt = subscription.stoppedAt ?? subscription.createdAt;
    return key('rights:access.subscription_stopped', {
      date: at(stoppedAt),
      deleted: at(new Date(stoppedAt.getTime() + RETENTION.stoppedSubscriptionMs)),
    });
  }
  const area =
    subscription.area.kind === 'cell'
      ? key('common:values.area_cell')
      : key('common:values.area_city', {
          fr: raw(subscription.area.names.fr),
          ar: raw(subscription.area.names.ar),
        });
  return key('rights:access.subscription_active', { area, date: at(subscription.createdAt) });
}

function describeSighting(sighting: SubjectSighting): Text {
  return key('rights:access.sighting', {
    date: at(sighting.createdAt),
    seen: at(sighting.seenAt),
    place: placeText(sighting.place, null),
    description: raw(sighting.description),
  });
}

/**
 * The plain-language answer to "what do you keep about me?": every item of
 * the record, when each will be deleted, and what the answer leaves out and why.
 */
export function describeSubjectRecord(record: SubjectRecord): Text {
  if (isEmptyRecord(record)) {
    return lines(key('rights:access.nothing'), key('rights:access.conversation'));
  }
  const parts: Text[] = [key('rights:access.intro')];
  for (const found of record.cases) parts.push(describeCase(found));
  if (record.subscription) parts.push(describeSubscription(record.subscription));
  if (record.sightings.length > 0) {
    parts.push(
      lines(
        key('rights:access.sightings_title', { count: num(record.sightings.length) }),
        ...record.sightings.map(describeSighting),
        key('rights:access.sightings_deleted'),
      ),
    );
  }
  parts.push(key('rights:access.conversation'), key('rights:access.not_shown'));
  parts.push(key('rights:access.next'));
  return lines(...parts);
}
