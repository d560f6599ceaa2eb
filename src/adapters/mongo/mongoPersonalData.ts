import type { Connection, mongo } from 'mongoose';
import { z } from 'zod';
import type { ErasureReport, PersonalData } from '../../app/ports/personalData.js';
import { OPEN_STATUSES } from '../../core/case/caseLifecycle.js';
import { CASE_STATUSES } from '../../core/case/caseStatus.js';
import { placeSchema } from '../../core/case/report.js';
import {
  LEGACY_COLLECTION,
  legacyConversationKey,
} from '../../core/conversation/legacyBotState.js';
import type {
  SubjectCase,
  SubjectRecord,
  SubjectSighting,
  SubjectSubscription,
} from '../../core/rights/subjectRecord.js';
import { subscriptionKey } from '../../core/subscription.js';

type Doc = { _id: string } & Record<string, unknown>;

const text = z.string().nullable().default(null);
/** The fields of a stored case the family gave, as its owner may read them back. */
const subjectCaseSchema = z.object({
  _id: z.string(),
  reference: z.string(),
  status: z.enum(CASE_STATUSES),
  region: z.string().nullable().default(null),
  createdAt: z.coerce.date(),
  updatedAt: z.coerce.date(),
  reporter: z.object({ name: z.string(), relationship: z.enum(['parent', 'guardian']) }),
  child: z.object({
    fullName: z.string(),
    sex: z.enum(['boy', 'girl']),
    age: z.object({ years: z.number() }),
    photoId: text,
    heightCm: z.number().nullable().default(null),
    build: text,
    hair: text,
    marks: text,
    clothing: text,
    phone: text,
    hobbies: text,
    problems: text,
    places: text,
    friends: text,
    health: text,
  }),
  lastSeen: z.object({ at: z.coerce.date(), place: placeSchema, city: text }),
  /** `null` when the family answered with a voice note. */
  circumstances: text,
  voiceNotes: z.array(z.object({ answer: z.string() })).default([]),
  messages: z.array(z.unknown()).default([]),
});

const subscriptionSchema = z.object({
  status: z.enum(['active', 'stopped']),
  area: z
    .discriminatedUnion('kind', [
      z.object({ kind: z.literal('cell') }),
      z.object({ kind: z.literal('city'), cityId: z.string() }),
    ])
    .nullable()
    .default(null),
  createdAt: z.coerce.date(),
  stoppedAt: z.coerce.date().nullable().default(null),
});

const sightingSchema = z.object({
  _id: z.string(),
  caseId: z.string(),
  createdAt: z.coerce.date(),
  seenAt: z.coerce.date(),
  place: placeSchema,
  description: z.string(),
  photoId: text,
  mayCallBack: z.boolean(),
});

const CLOSED_STATUSES = CASE_STATUSES.filter(
  (status) => !OPEN_STATUSES.some((open) => open === status),
);

const photoHolderSchema = z.object({
  photoId: z.string().nullish(),
  child: z.object({ photoId: z.string().nullish() }).optional(),
});

/** The photos a case, a sighting or an alert names (its own, or its child's). */
function photoIdsOf(doc: Doc): string[] {
  const parsed = photoHolderSchema.safeParse(doc);
  if (!parsed.success) return [];
  return [parsed.data.photoId, parsed.data.child?.photoId].flatMap((id) => (id ? [id] : []));
}

/** The gazetteer's names of a city, for a subscription's area. */
export type CityNames = (cityId: string) => { fr: string; ar: string } | null;

/**
 * Where one person's data lives on MongoDB (and the embedded FerretDB), read
 * and deleted collection by collection: `cases` (and the `reporters` pointer,
 * `photos`, `sightings`, `alerts`, `alert_open` hanging on them),
 * `subscriptions`, `conversations` (and the old `botstate`), `dev_outbox`.
 * Reads by `_id` where the bot's keys allow it; the rest are rare (a person
 * asking for their data) and served on MongoDB by the indexes `init` declares.
 */
export class MongoPersonalData implements PersonalData {
  private readonly collections: (name: string) => mongo.Collection<Doc>;

  constructor(
    connection: Connection,
    private readonly cityNames: CityNames,
  ) {
    this.collections = (name) => connection.collection<Doc>(name);
  }

  /** Declares the indexes these reads need on MongoDB (the reporter's cases, the purges). */
  async init(): Promise<void> {
    await this.collections('cases').createIndex({ channel: 1, 'reporter.address': 1 });
    await this.collections('cases').createIndex({ status: 1, updatedAt: 1 });
    await this.collections('subscriptions').createIndex({ status: 1, stoppedAt: 1 });
  }

  async collect(channel: string, address: string): Promise<SubjectRecord> {
    const caseDocs = await this.collections('cases')
      .find({ channel, 'reporter.address': address })
      .sort({ createdAt: -1 })
      .toArray();
    const parsed = caseDocs.flatMap((doc) => {
      const one = subjectCaseSchema.safeParse(doc);
      return one.success ? [one.data] : [];
    });
    const corrections = await this.collections('rights_requests')
      .find({ caseId: { $in: parsed.map((c) => c._id) }, kind: 'rectify', status: 'applied' })
      .sort({ createdAt: 1 })
      .toArray();
    const cases: SubjectCase[] = parsed.map((found) => ({
      id: found._id,
      reference: found.reference,
      status: found.status,
      region: found.region,
      createdAt: found.createdAt,
      updatedAt: found.updatedAt,
      reporter: found.reporter,
      child: {
        fullName: found.child.fullName,
        sex: found.child.sex,
        ageYears: found.child.age.years,
        hasPhoto: found.child.photoId !== null,
        heightCm: found.child.heightCm,
        build: found.child.build,
        hair: found.child.hair,
        marks: found.child.marks,
        clothing: found.child.clothing,
        phone: found.child.phone,
        hobbies: found.child.hobbies,
        problems: found.child.problems,
        places: found.child.places,
        friends: found.child.friends,
        health: found.child.health,
      },
      lastSeen: found.lastSeen,
      circumstances: found.circumstances,
      voiceAnswers: found.voiceNotes.map((note) => note.answer),
      messages: found.messages.length,
      corrections: corrections.flatMap((request) =>
        request.caseId === found._id && typeof request.text === 'string' ? [request.text] : [],
      ),
    }));
    return {
      cases,
      subscription: await this.subscriptionOf(channel, address),
      sightings: await this.sightingsOf(channel, address),
    };
  }

  private async subscriptionOf(
    channel: string,
    address: string,
  ): Promise<SubjectSubscription | null> {
    const doc = await this.collections('subscriptions').findOne({
      _id: subscriptionKey(channel, address),
    });
    const parsed = subscriptionSchema.safeParse(doc);
    if (!parsed.success) return null;
    const { area, ...rest } = parsed.data;
    if (area === null) return { ...rest, area: null };
    if (area.kind === 'cell') return { ...rest, area: { kind: 'cell' } };
    const names = this.cityNames(area.cityId);
    return { ...rest, area: names ? { kind: 'city', names } : { kind: 'cell' } };
  }

  private async sightingsOf(channel: string, address: string): Promise<SubjectSighting[]> {
    const docs = await this.collections('sightings')
      .find({ channel, address })
      .sort({ createdAt: -1 })
      .toArray();
    const sightings = docs.flatMap((doc) => {
      const one = sightingSchema.safeParse(doc);
      return one.success ? [one.data] : [];
    });
    const caseIds = [...new Set(sightings.map((s) => s.caseId))];
    const regions = new Map<string, string | null>();
    if (caseIds.length > 0) {
      const found = await this.collections('cases')
        .find({ _id: { $in: caseIds } }, { projection: { region: 1 } })
        .toArray();
      for (const doc of found)
        regions.set(doc._id, typeof doc.region === 'string' ? doc.region : null);
    }
    return sightings.map((s) => ({
      id: s._id,
      caseId: s.caseId,
      region: regions.get(s.caseId) ?? null,
      createdAt: s.createdAt,
      seenAt: s.seenAt,
      place: s.place,
      description: s.description,
      hasPhoto: s.photoId !== null,
      mayCallBack: s.mayCallBack,
    }));
  }

  async alertsOfCases(caseIds: readonly string[]): Promise<string[]> {
    if (caseIds.length === 0) return [];
    const found = await this.collections('alerts')
      .find({ caseId: { $in: [...caseIds] } }, { projection: { _id: 1 } })
      .toArray();
    return found.map((doc) => doc._id);
  }

  async eraseCases(caseIds: readonly string[]): Promise<ErasureReport> {
    const report: ErasureReport = {};
    const count = (name: string, n: number) => {
      report[name] = (report[name] ?? 0) + n;
    };
    for (const caseId of caseIds) {
      const found = await this.collections('cases').findOne({ _id: caseId });
      if (!found) continue;
      const sightings = await this.collections('sightings')
        .find({ caseId }, { projection: { _id: 1, photoId: 1 } })
        .toArray();
      const alerts = await this.collections('alerts')
        .find({ caseId }, { projection: { _id: 1, photoId: 1 } })
        .toArray();
      const photoIds = [found, ...sightings, ...alerts].flatMap(photoIdsOf);
      const drafts = [caseId, ...sightings.map((s) => s._id)];
      count(
        'photos',
        (
          await this.collections('photos').deleteMany({
            $or: [{ _id: { $in: photoIds } }, { draftId: { $in: drafts } }],
          })
        ).deletedCount,
      );
      // Voice notes of the report and of its messages: the pieces first, then the audio itself.
      const audioIds = (
        await this.collections('audio')
          .find({ draftId: { $in: drafts } }, { projection: { _id: 1 } })
          .toArray()
      ).map((audio) => audio._id);
      if (audioIds.length > 0) {
        await this.collections('audio_chunks').deleteMany({ audioId: { $in: audioIds } });
        count(
          'audio',
          (await this.collections('audio').deleteMany({ _id: { $in: audioIds } })).deletedCount,
        );
      }
      count('sightings', (await this.collections('sightings').deleteMany({ caseId })).deletedCount);
      count('alerts', (await this.collections('alerts').deleteMany({ caseId })).deletedCount);
      count(
        'alert_open',
        (await this.collections('alert_open').deleteMany({ _id: caseId })).deletedCount,
      );
      const reporter = z
        .object({ channel: z.string(), reporter: z.object({ address: z.string() }) })
        .safeParse(found);
      if (reporter.success) {
        const pointer = `${reporter.data.channel}:${reporter.data.reporter.address}`;
        const current = await this.collections('reporters').findOne({ _id: pointer });
        const points = [current?.latest, current?.caseId].some(
          (value) =>
            typeof value === 'string' && (value === caseId || value.endsWith(`|${caseId}`)),
        );
        if (points)
          count(
            'reporters',
            (await this.collections('reporters').deleteOne({ _id: pointer })).deletedCount,
          );
      }
      count('cases', (await this.collections('cases').deleteOne({ _id: caseId })).deletedCount);
    }
    return report;
  }

  async eraseSubject(channel: string, address: string): Promise<ErasureReport> {
    const key = subscriptionKey(channel, address);
    const sightings = await this.collections('sightings')
      .find({ channel, address }, { projection: { _id: 1, photoId: 1 } })
      .toArray();
    const photoIds = sightings.flatMap((s) => (typeof s.photoId === 'string' ? [s.photoId] : []));
    const legacyKey = legacyConversationKey(key);
    return {
      photos: (
        await this.collections('photos').deleteMany({
          $or: [{ _id: { $in: photoIds } }, { draftId: { $in: sightings.map((s) => s._id) } }],
        })
      ).deletedCount,
      sightings: (await this.collections('sightings').deleteMany({ channel, address }))
        .deletedCount,
      subscriptions: (await this.collections('subscriptions').deleteOne({ _id: key })).deletedCount,
      conversations:
        (await this.collections('conversations').deleteOne({ _id: key })).deletedCount +
        (legacyKey
          ? (await this.collections(LEGACY_COLLECTION).deleteOne({ _id: legacyKey })).deletedCount
          : 0),
      reporters: (await this.collections('reporters').deleteOne({ _id: key })).deletedCount,
      dev_outbox: (await this.collections('dev_outbox').deleteMany({ to: address })).deletedCount,
    };
  }

  async eraseSubscription(channel: string, address: string): Promise<boolean> {
    const result = await this.collections('subscriptions').deleteOne({
      _id: subscriptionKey(channel, address),
    });
    return result.deletedCount === 1;
  }

  async closedCasesBefore(before: Date, limit: number): Promise<string[]> {
    const found = await this.collections('cases')
      .find(
        { status: { $in: CLOSED_STATUSES }, updatedAt: { $lt: before } },
        { projection: { _id: 1 } },
      )
      .limit(limit)
      .toArray();
    return found.map((doc) => doc._id);
  }

  async purgeStoppedSubscriptions(before: Date): Promise<number> {
    const result = await this.collections('subscriptions').deleteMany({
      status: 'stopped',
      stoppedAt: { $lt: before },
    });
    return result.deletedCount;
  }
}
