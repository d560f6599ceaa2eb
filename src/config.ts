import { z } from 'zod';
import { alertStagesSchema, DEFAULT_ALERT_STAGES } from './core/alert/alert.js';
import { DEVELOPMENT_AUDIT_SECRET } from './core/audit.js';

const booleanFlag = z
  .enum(['0', '1', 'true', 'false', 'yes', 'no'])
  .transform((value) => value === '1' || value === 'true' || value === 'yes');

/**
 * Which WhatsApp channel runs: none, the linked phone (whatsapp-web.js), the
 * official Cloud API, or the Cloud API against the local fake Graph API.
 * The old boolean values still work: `1`/`true` is the linked phone.
 */
const whatsappMode = z
  .enum(['off', 'web', 'cloud', 'cloud-fake', '0', '1', 'true', 'false', 'yes', 'no'])
  .transform((value): 'off' | 'web' | 'cloud' | 'cloud-fake' => {
    switch (value) {
      case '1':
      case 'true':
      case 'yes':
        return 'web';
      case '0':
      case 'false':
      case 'no':
        return 'off';
      default:
        return value;
    }
  });

/** A messaging-limit tier: a number of people per day, or `unlimited`. */
const messagingLimitSetting = z.union([
  z.literal('unlimited').transform(() => null),
  z.coerce.number().int().min(1),
]);
const templateName = z.string().regex(/^[a-z0-9_]{1,500}$/, 'lower-case letters, digits and _');
const templateLanguage = z.string().regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, 'like ar, fr or ar_MA');

/** `minutes:km` pairs, e.g. `0:20,120:80,360:160` (at once 20 km, after 2 h 80 km, after 6 h 160 km). */
const DEFAULT_ALERT_STAGES_SETTING = DEFAULT_ALERT_STAGES.map(
  (stage) => `${stage.afterMinutes}:${stage.radiusKm}`,
).join(',');
const alertStagesSetting = z
  .string()
  .regex(/^\d+:\d+(\.\d+)?(,\d+:\d+(\.\d+)?)*$/, 'must look like 0:20,120:80,360:160 (minutes:km)')
  .transform((value) =>
    value.split(',').map((pair) => {
      const [minutes, km] = pair.split(':');
      return { afterMinutes: Number(minutes), radiusKm: Number(km) };
    }),
  )
  .pipe(alertStagesSchema);

/**
 * Every setting Tifli reads from the environment. Parsed once, in
 * `src/main.ts`; nothing else reads `process.env`.
 */
export const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default('0.0.0.0'),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
    MONGODB_URI: z
      .string()
      .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
      .optional(),
    DATABASE_ADAPTERS: z.enum(['embedded', 'mongo']).optional(),
    DATA_DIR: z.string().min(1).default('./data'),
    DEV_CHANNEL: booleanFlag.optional(),
    WHATSAPP: whatsappMode.default('off'),
    WHATSAPP_SESSION_DIR: z.string().min(1).optional(),
    WHATSAPP_PHONE_NUMBER_ID: z
      .string()
      .regex(/^\d{5,20}$/, 'digits (the phone number id)')
      .optional(),
    WHATSAPP_ACCESS_TOKEN: z.string().min(20, 'must be at least 20 characters').optional(),
    WHATSAPP_APP_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
    WHATSAPP_VERIFY_TOKEN: z.string().min(8, 'must be at least 8 characters').optional(),
    WHATSAPP_GRAPH_URL: z.url().default('https://graph.facebook.com'),
    WHATSAPP_GRAPH_VERSION: z
      .string()
      .regex(/^v\d+\.\d+$/, 'like v25.0')
      .default('v25.0'),
    WHATSAPP_THROUGHPUT: z.coerce.number().int().min(1).max(1000).default(80),
    WHATSAPP_MESSAGING_LIMIT: messagingLimitSetting.optional(),
    WHATSAPP_TEMPLATE_ALERT: templateName.default('tifli_alert'),
    WHATSAPP_TEMPLATE_WIDENING: templateName.default('tifli_widening'),
    WHATSAPP_TEMPLATE_CLOSING: templateName.default('tifli_closing'),
    WHATSAPP_TEMPLATE_LANGUAGE_AR: templateLanguage.default('ar'),
    WHATSAPP_TEMPLATE_LANGUAGE_FR: templateLanguage.default('fr'),
    WHATSAPP_TEMPLATE_LANGUAGE_ARY: templateLanguage.default('ar_MA'),
    WHATSAPP_UNCONFIRMED_GRACE_S: z.coerce.number().int().min(1).max(86_400).default(600),
    WHATSAPP_FAKE_PORT: z.coerce.number().int().min(0).max(65535).default(3100),
    CHROMIUM_PATH: z.string().min(1).default('/usr/bin/chromium'),
    LOG_HASH_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
    AUDIT_HMAC_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    CASE_REFERENCE_PREFIX: z
      .string()
      .regex(/^[A-Z]{2,5}$/, 'must be 2 to 5 capital letters')
      .default('TF'),
    SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
    TRUST_PROXY: booleanFlag.default(false),
    PUBLIC_BASE_URL: z.url().default('http://localhost:3000'),
    ALERT_STAGES: alertStagesSetting.prefault(DEFAULT_ALERT_STAGES_SETTING),
    ALERT_WINDOW_HOURS: z.coerce.number().int().min(1).max(72).default(6),
    ALERT_MAX_HOURS: z.coerce.number().int().min(1).max(168).default(48),
    ALERT_SEND_RATE: z.coerce.number().min(1).max(1000).optional(),
    ALERT_LEASE_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
    ALERT_TICK_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
    CAP_SENDER: z
      .string()
      .regex(/^[^\s,<&]+$/, 'no spaces, commas, < or & (CAP 1.2)')
      .default('tifli@police.example.ma'),
  })
  .transform((env) => ({
    nodeEnv: env.NODE_ENV,
    port: env.PORT,
    host: env.HOST,
    logLevel: env.LOG_LEVEL,
    mongodbUri: env.MONGODB_URI,
    /**
     * Which storage adapters the app is built with: `embedded` (the shapes the
     * embedded FerretDB needs) when the service runs on its own FerretDB,
     * `mongo` (MongoDB-native indexes and queries) when `MONGODB_URI` names a
     * server; `DATABASE_ADAPTERS` overrides (e.g. MONGODB_URI naming a FerretDB).
     */
    databaseAdapters: env.DATABASE_ADAPTERS ?? (env.MONGODB_URI ? 'mongo' : 'embedded'),
    dataDir: env.DATA_DIR,
    /**
     * The dev channel: on unless production, or as `DEV_CHANNEL` says. It
     * answers loopback peers only, unless `DEV_CHANNEL=1` is set explicitly
     * (`devChannelAnyPeer`; main.ts warns when that happens in production).
     */
    devChannel: env.DEV_CHANNEL ?? env.NODE_ENV !== 'production',
    devChannelAnyPeer: env.DEV_CHANNEL === true,
    whatsapp: env.WHATSAPP,
    /**
     * The Cloud API channel's settings (used when `whatsapp` is `cloud` or
     * `cloud-fake`; with `cloud-fake` the secrets are generated at start).
     * Secrets: never logged.
     */
    whatsappCloud: {
      phoneNumberId: env.WHATSAPP_PHONE_NUMBER_ID,
      accessToken: env.WHATSAPP_ACCESS_TOKEN,
      appSecret: env.WHATSAPP_APP_SECRET,
      verifyToken: env.WHATSAPP_VERIFY_TOKEN,
      graphUrl: env.WHATSAPP_GRAPH_URL.replace(/\/+$/, ''),
      graphVersion: env.WHATSAPP_GRAPH_VERSION,
      throughput: env.WHATSAPP_THROUGHPUT,
      messagingLimit: env.WHATSAPP_MESSAGING_LIMIT,
      templates: {
        names: {
          alert: env.WHATSAPP_TEMPLATE_ALERT,
          widening: env.WHATSAPP_TEMPLATE_WIDENING,
          closing: env.WHATSAPP_TEMPLATE_CLOSING,
        },
        languages: {
          ar: env.WHATSAPP_TEMPLATE_LANGUAGE_AR,
          fr: env.WHATSAPP_TEMPLATE_LANGUAGE_FR,
          ary: env.WHATSAPP_TEMPLATE_LANGUAGE_ARY,
        },
      },
      unconfirmedGraceMs: env.WHATSAPP_UNCONFIRMED_GRACE_S * 1000,
      fakePort: env.WHATSAPP_FAKE_PORT,
    },
    whatsappSessionDir: env.WHATSAPP_SESSION_DIR ?? `${env.DATA_DIR}/whatsapp-session`,
    chromiumPath: env.CHROMIUM_PATH,
    logHashSecret: env.LOG_HASH_SECRET,
    /**
     * The key of the audit chain's HMAC: only in the configuration, never in
     * the database, never logged. Outside production a development key that
     * anyone can read stands in (`auditHmacSecretIsDevelopment`).
     */
    auditHmacSecret: env.AUDIT_HMAC_SECRET ?? DEVELOPMENT_AUDIT_SECRET,
    auditHmacSecretIsDevelopment: env.AUDIT_HMAC_SECRET === undefined,
    caseReferencePrefix: env.CASE_REFERENCE_PREFIX,
    shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
    trustProxy: env.TRUST_PROXY,
    publicBaseUrl: env.PUBLIC_BASE_URL.replace(/\/+$/, ''),
    alerts: {
      stages: env.ALERT_STAGES,
      windowHours: env.ALERT_WINDOW_HOURS,
      maxHours: env.ALERT_MAX_HOURS,
      tickMs: env.ALERT_TICK_MS,
    },
    // One number's pace: on the Cloud API, the number's throughput.
    alertSendRate:
      env.ALERT_SEND_RATE ??
      (env.WHATSAPP === 'cloud' || env.WHATSAPP === 'cloud-fake' ? env.WHATSAPP_THROUGHPUT : 20),
    alertLeaseMs: env.ALERT_LEASE_MS,
    capSender: env.CAP_SENDER,
  }))
  .superRefine((config, ctx) => {
    if (config.alerts.windowHours > config.alerts.maxHours) {
      ctx.addIssue({
        code: 'custom',
        path: ['ALERT_WINDOW_HOURS'],
        message: 'must not exceed ALERT_MAX_HOURS',
      });
    }
    if (config.whatsapp === 'cloud') {
      const cloud = config.whatsappCloud;
      const required = [
        ['WHATSAPP_PHONE_NUMBER_ID', cloud.phoneNumberId],
        ['WHATSAPP_ACCESS_TOKEN', cloud.accessToken],
        ['WHATSAPP_APP_SECRET', cloud.appSecret],
        ['WHATSAPP_VERIFY_TOKEN', cloud.verifyToken],
      ] as const;
      for (const [name, value] of required) {
        if (value === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: 'is required when WHATSAPP=cloud',
          });
        }
      }
    }
    if (config.nodeEnv === 'production' && !config.logHashSecret) {
      ctx.addIssue({
        code: 'custom',
        path: ['LOG_HASH_SECRET'],
        message: 'is required in production (it keeps hashed ids in logs stable and private)',
      });
    }
    if (config.nodeEnv === 'production' && config.auditHmacSecretIsDevelopment) {
      ctx.addIssue({
        code: 'custom',
        path: ['AUDIT_HMAC_SECRET'],
        message: 'is required in production (it keys the audit chain; keep it out of the database)',
      });
    }
  });

export type Config = z.infer<typeof configSchema>;

/** The outcome of reading the environment: a config, or one line per bad variable. */
export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

/** Parses the environment; never throws, so the caller decides how to stop. */
export function loadConfig(env: Record<string, string | undefined>): ConfigResult {
  // An empty variable (`MONGODB_URI=`) means "not set", as people expect from a shell.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = configSchema.safeParse(present);
  if (parsed.success) return { ok: true, config: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`,
    ),
  };
}

/** Settings of `npm run chat`, the terminal chat with a running service. */
export const chatConfigSchema = z.object({
  TIFLI_URL: z.url().default('http://127.0.0.1:3000'),
  CHAT_FROM: z
    .string()
    .regex(/^\+[1-9]\d{7,14}$/, 'must be an international phone number like +212600000001')
    .default('+212600000001'),
});
