import { z } from 'zod';
import { formatCaseReference, referenceYear } from '../core/case/caseReference.js';
import {
  caseFromReport,
  type Place,
  placeSchema,
  reportAnswersSchema,
} from '../core/case/report.js';
import type { Effect, SubmitEffect } from '../core/conversation/flowState.js';
import type { InboundAudio, InboundPhoto } from '../core/conversation/input.js';
import type { TurnEffect } from '../core/conversation/turnRouter.js';
import { AppError } from '../core/errors.js';
import { type Language, languageSchema } from '../core/nlu/language.js';
import { isGeohash, SUBSCRIPTION_CELL_PRECISION } from '../core/place/geohash.js';
import type { SubscriberArea } from '../core/subscription.js';
import type { Logger } from '../logger.js';
import type { IntakeGuard } from './intakeGuard.js';
import type { AudioStore } from './ports/audioStore.js';
import type { FamilyCaseStore } from './ports/caseStore.js';
import type { PhotoStore } from './ports/photoStore.js';
import type { SightingStore } from './ports/sightings.js';
import type { SubscriptionStore } from './ports/subscriptions.js';
import type { RightsDesk, RightsFiled } from './rights/rightsDesk.js';

export interface EffectDeps {
  cases: FamilyCaseStore;
  subscriptions?: SubscriptionStore;
  sightings?: SightingStore;
  /** The region whose officers handle a case, from where the child was last seen. */
  regionOf: (place: Place, city: string | null) => string | null;
  photos: PhotoStore;
  /** Voice notes (benchmarks, which send none, run without). */
  audio?: AudioStore;
  logger: Logger;
  referencePrefix: string;
  /** Requests about one's data (Law 09-08); without it the bot cannot file them. */
  rights?: Pick<RightsDesk, 'file'>;
  /** Flood control: counts reports per number and flags those over the limit (none without it). */
  intake?: IntakeGuard;
}

export interface EffectContext {
  now: Date;
  language: Language;
  channel: string;
  address: string;
  /** The photo this turn's message carried, if any. */
  photo?: InboundPhoto | undefined;
  /** The voice note or audio this turn's message carried, if any. */
  audio?: InboundAudio | undefined;
}

/** Values effects produce that replies show (the new case's reference). */
export interface EffectResults {
  reference?: string;
  /** The case this turn created, for the console's live queue. */
  createdCase?: { caseId: string; region: string | null };
  /** STOP: whether the number was subscribed until now. */
  unsubscribed?: boolean;
  /** The sighting this turn stored (or refused because the number sends too many). */
  sighting?: {
    created: boolean;
    throttled: boolean;
    sightingId: string;
    caseId: string;
    region: string | null;
  };
  /** The family's message this turn relayed to the officer of their case. */
  relayed?: { caseId: string; region: string | null };
  /** The request about one's data this turn filed. */
  rights?: RightsFiled;
}

const point = z.object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) });

/** The answers of flows/subscribe.yaml as they must be when it is submitted. */
const subscribeAnswersSchema = z.object({
  'consent.given': z.literal(true),
  'subscription.language': languageSchema,
  'subscription.area': z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('cell'),
      geohash: z.string().refine((hash) => isGeohash(hash, SUBSCRIPTION_CELL_PRECISION)),
      centre: point,
    }),
    z.object({ kind: z.literal('city'), cityId: z.string().min(1), centre: point }),
  ]),
});

/** The answers of flows/sighting.yaml, and what the bot knew when it began. */
const sightingAnswersSchema = z.object({
  'sighting.alertId': z.string().min(1).optional(),
  'sighting.seenAt': z.iso.datetime(),
  'sighting.place': placeSchema,
  'sighting.description': z.string().min(1),
  'sighting.photo': z.object({ photoId: z.string() }).nullable().optional(),
  'sighting.callBack': z.boolean(),
});
const sightingContextSchema = z.object({
  alertId: z.string().min(1).optional(),
  opening: z.string().min(1).optional(),
});

/**
 * Carries out what the flow engine asked for. Every effect is idempotent, so
 * a turn retried after a lost eTag race or a crash does not store twice.
 */
export async function applyEffects(
  effects: readonly TurnEffect[],
  context: EffectContext,
  deps: EffectDeps,
): Promise<EffectResults> {
  const results: EffectResults = {};
  for (const effect of effects) {
    switch (effect.type) {
      case 'savePhoto': {
        const photo = context.photo;
        if (photo?.photoId !== effect.photoId) {
          throw new AppError('internal', 'savePhoto without the photo of this turn');
        }
        await deps.photos.save({ ...photo, draftId: effect.draftId });
        break;
      }
      case 'saveAudio': {
        const audio = context.audio;
        if (audio?.audioId !== effect.audioId) {
          throw new AppError('internal', 'saveAudio without the audio of this turn');
        }
        if (!deps.audio) throw new AppError('internal', 'no audio store');
        await deps.audio.save({ ...audio, draftId: effect.draftId });
        break;
      }
      case 'submitReport': {
        const submitted = await submitReport(effect, context, deps);
        results.reference = submitted.reference;
        results.createdCase = { caseId: effect.draftId, region: submitted.region };
        break;
      }
      case 'subscribe':
        await subscribe(effect, context, deps);
        break;
      case 'unsubscribe': {
        if (!deps.subscriptions) throw new AppError('internal', 'no subscription repository');
        const { wasSubscribed } = await deps.subscriptions.unsubscribe(
          context.channel,
          context.address,
          context.now,
        );
        results.unsubscribed = wasSubscribed;
        break;
      }
      case 'addSighting':
        results.sighting = await addSighting(effect, context, deps);
        break;
      case 'relayToOfficer': {
        if (effect.audio) {
          const audio = context.audio;
          if (audio?.audioId !== effect.audio.audioId) {
            throw new AppError('internal', 'relayed voice note without the audio of this turn');
          }
          if (!deps.audio) throw new AppError('internal', 'no audio store');
          // The case's id is its draft's: the purge keeps the audio with the case.
          await deps.audio.save({ ...audio, draftId: effect.caseId });
        }
        const { region } = await deps.cases.addFamilyMessage(effect.caseId, {
          id: effect.messageId,
          text: effect.text,
          at: context.now,
          ...(effect.audio ? { audio: effect.audio } : {}),
        });
        results.relayed = { caseId: effect.caseId, region };
        break;
      }
      case 'fileRightsRequest': {
        if (!deps.rights) throw new AppError('internal', 'no rights desk');
        results.rights = await deps.rights.file(effect, context);
        break;
      }
      default: {
        const unreachable: never = effect;
        throw new AppError('internal', `unknown effect ${JSON.stringify(unreachable)}`);
      }
    }
  }
  return results;
}

/** Fails loudly when a trainer's edit of a flow dropped an answer the effect needs. */
function incomplete(flowId: string, error: z.ZodError): AppError {
  return new AppError(
    'flow_invalid',
    `${flowId} answers incomplete`,
    error.issues.map((issue) => issue.path.join('.')),
  );
}

async function subscribe(
  effect: Extract<SubmitEffect, { type: 'subscribe' }>,
  context: EffectContext,
  deps: EffectDeps,
): Promise<void> {
  if (!deps.subscriptions) throw new AppError('internal', 'no subscription repository');
  const answers = subscribeAnswersSchema.safeParse(effect.answers);
  if (!answers.success) throw incomplete(effect.flowId, answers.error);
  const chosen = answers.data['subscription.area'];
  // Only the cell or the city is kept: whatever else the answer held goes no further.
  const area: SubscriberArea =
    chosen.kind === 'cell'
      ? {
          kind: 'cell',
          geohash: chosen.geohash,
          centre: { lat: chosen.centre.lat, lon: chosen.centre.lon },
        }
      : {
          kind: 'city',
          cityId: chosen.cityId,
          centre: { lat: chosen.centre.lat, lon: chosen.centre.lon },
        };
  await deps.subscriptions.subscribe({
    channel: context.channel,
    address: context.address,
    language: answers.data['subscription.language'],
    area,
    now: context.now,
  });
  deps.logger.info({ area: area.kind }, 'subscribed to alerts');
}

async function addSighting(
  effect: Extract<SubmitEffect, { type: 'addSighting' }>,
  context: EffectContext,
  deps: EffectDeps,
): Promise<NonNullable<EffectResults['sighting']>> {
  if (!deps.sightings) throw new AppError('internal', 'no sighting repository');
  const answers = sightingAnswersSchema.safeParse(effect.answers);
  if (!answers.success) throw incomplete(effect.flowId, answers.error);
  const started = sightingContextSchema.safeParse(effect.context);
  if (!started.success) throw incomplete(effect.flowId, started.error);
  const alertId = answers.data['sighting.alertId'] ?? started.data.alertId;
  if (!alertId) throw new AppError('flow_invalid', 'sighting without an alert');
  const described = answers.data['sighting.description'];
  const opening = started.data.opening;
  const stored = await deps.sightings.add({
    _id: effect.draftId,
    alertId,
    channel: context.channel,
    address: context.address,
    language: context.language,
    seenAt: new Date(answers.data['sighting.seenAt']),
    place: answers.data['sighting.place'],
    description: opening ? `${opening}\n${described}` : described,
    photoId: answers.data['sighting.photo']?.photoId ?? null,
    mayCallBack: answers.data['sighting.callBack'],
    createdAt: context.now,
  });
  deps.logger.info(
    { created: stored.created, throttled: stored.throttled, flagged: stored.sighting.flagged },
    'sighting received',
  );
  return {
    created: stored.created,
    throttled: stored.throttled,
    sightingId: stored.sighting._id,
    caseId: stored.sighting.caseId,
    region: stored.region,
  };
}

async function submitReport(
  effect: Extract<Effect, { type: 'submitReport' }>,
  context: EffectContext,
  deps: EffectDeps,
): Promise<{ reference: string; region: string | null }> {
  const existing = await deps.cases.findByDraftId(effect.draftId);
  if (existing) return { reference: existing.reference, region: null };
  const answers = reportAnswersSchema.safeParse(effect.answers);
  if (!answers.success) {
    // A flow edited without keeping a required answer: refuse loudly rather than store half a case.
    throw new AppError(
      'flow_invalid',
      'report answers incomplete',
      answers.error.issues.map((i) => i.path.join('.')),
    );
  }
  const year = referenceYear(context.now);
  const reference = formatCaseReference(
    deps.referencePrefix,
    year,
    await deps.cases.nextSequence(year),
  );
  const region = deps.regionOf(
    answers.data['lastSeen.place'],
    answers.data['lastSeen.city'] ?? null,
  );
  // Counted once per draft, so a retried submission does not count twice.
  const intake = (await deps.intake?.flagsForReport(
    context.channel,
    context.address,
    effect.draftId,
    context.now,
  )) ?? { flags: [], earlier: [] };
  const stored = await deps.cases.insertNew(
    caseFromReport(answers.data, {
      draftId: effect.draftId,
      reference,
      language: context.language,
      channel: context.channel,
      reporterAddress: context.address,
      now: context.now,
      consentNoticeVersion: effect.flowVersion,
      region,
      flags: intake.flags,
    }),
  );
  if (intake.earlier.length > 0)
    await deps.intake?.flagEarlier(intake.earlier, intake.flags, context.now);
  deps.logger.info(
    { reference: stored.reference, created: stored.created, region },
    'report submitted',
  );
  return { reference: stored.reference, region };
}
