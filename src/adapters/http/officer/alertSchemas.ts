import { z } from 'zod';
import { ALERT_STATES, alertStagesSchema } from '../../../core/alert/alert.js';
import { officerText } from './officerText.js';

/** `:id` of an alert. */
export const alertParams = z.strictObject({ id: z.string().min(1).max(100) });
/** `:id` of a case and `:sightingId` of one of its sightings. */
export const sightingPhotoParams = z.strictObject({
  id: z.string().min(1).max(100),
  sightingId: z.string().min(1).max(100),
});

const alertText = officerText(20, 1500);
/** Request bodies: exactly the fields each action takes. */
export const alertBodies = {
  propose: z
    .strictObject({
      centre: z
        .strictObject({ lat: z.number().min(20).max(37), lon: z.number().min(-18).max(0) })
        .optional(),
      stages: alertStagesSchema.optional(),
      windowHours: z.number().int().min(1).max(168).optional(),
      texts: z.strictObject({ ar: alertText, fr: alertText, ary: alertText }).optional(),
    })
    .nullish(),
  extend: z.strictObject({ hours: z.number().int().min(1).max(24) }),
};

/** An alert with its broadcast progress (every field in docs/alertsApi.md). */
export const alertViewSchema = z
  .looseObject({
    id: z.string(),
    caseId: z.string(),
    caseReference: z.string(),
    state: z.enum(ALERT_STATES),
    currentStage: z.number().int().describe('-1 unless active'),
    windowHours: z.number(),
    photoUrl: z.string().nullable(),
    capUrl: z.string().nullable(),
    posterUrl: z.string(),
  })
  .meta({ id: 'Alert' });

/** A sighting as the console shows it: the number only if the citizen agreed to a call. */
export const sightingViewSchema = z
  .looseObject({
    id: z.string(),
    alertId: z.string(),
    seenAt: z.date(),
    distanceKm: z.number().nullable(),
    photoUrl: z.string().nullable(),
    callBack: z.string().nullable(),
    flagged: z.boolean(),
    createdAt: z.date(),
  })
  .meta({ id: 'Sighting' });

/** The answers of the alert routes. */
export const alertAnswers = {
  alert: z.object({ alert: alertViewSchema }),
  alerts: z.object({ alerts: z.array(alertViewSchema) }),
  preview: z.looseObject({
    content: z
      .unknown()
      .describe(
        'The public projection: first name, age, sex, description, clothing, place and time last seen',
      ),
    texts: z.object({ ar: z.string(), fr: z.string(), ary: z.string() }),
    stages: alertStagesSchema,
    windowHours: z.number(),
  }),
  sightings: z.object({ sightings: z.array(sightingViewSchema) }),
  reach: z.object({
    reach: z
      .object({
        audience: z.number().int().describe('Subscribers within the widest circle'),
        dailyLimit: z
          .number()
          .int()
          .nullable()
          .describe("The channel's messaging limit per rolling 24 h (null: none)"),
        firstDay: z.number().int().describe('Recipients the first 24 h can reach'),
      })
      .meta({ id: 'AlertReach' }),
  }),
};
