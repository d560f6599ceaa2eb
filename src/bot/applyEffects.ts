import type { Effect } from '../conversation/flowState.js';
import { formatCaseReference, referenceYear } from '../domain/caseReference.js';
import { caseFromReport, type Place, reportAnswersSchema } from '../domain/report.js';
import { AppError } from '../errors.js';
import type { Language } from '../i18n/language.js';
import type { Logger } from '../logger.js';
import type { Inbound } from './inbound.js';
import type { CaseRepository, PhotoStore } from './ports.js';

export interface EffectDeps {
  cases: CaseRepository;
  /** The region whose officers handle a case, from where the child was last seen. */
  regionOf: (place: Place, city: string | null) => string | null;
  photos: PhotoStore;
  logger: Logger;
  referencePrefix: string;
}

export interface EffectContext {
  now: Date;
  language: Language;
  channel: string;
  address: string;
  inbound: Inbound;
}

/** Values effects produce that replies show (the new case's reference). */
export interface EffectResults {
  reference?: string;
  /** The case this turn created, for the console's live queue. */
  createdCase?: { caseId: string; region: string | null };
}

/**
 * Carries out what the flow engine asked for. Every effect is idempotent, so
 * a turn retried after a lost eTag race or a crash does not store twice.
 */
export async function applyEffects(
  effects: readonly Effect[],
  context: EffectContext,
  deps: EffectDeps,
): Promise<EffectResults> {
  const results: EffectResults = {};
  for (const effect of effects) {
    switch (effect.type) {
      case 'savePhoto': {
        const photo = context.inbound.photo;
        if (photo?.photoId !== effect.photoId) {
          throw new AppError('internal', 'savePhoto without the photo of this turn');
        }
        await deps.photos.save({ ...photo, draftId: effect.draftId });
        break;
      }
      case 'submitReport': {
        const submitted = await submitReport(effect, context, deps);
        results.reference = submitted.reference;
        results.createdCase = { caseId: effect.draftId, region: submitted.region };
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
    }),
  );
  deps.logger.info(
    { reference: stored.reference, created: stored.created, region },
    'report submitted',
  );
  return { reference: stored.reference, region };
}
