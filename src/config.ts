import { z } from 'zod';
import { alertStagesSchema, DEFAULT_ALERT_STAGES } from './core/alert/alert.js';
import { DEVELOPMENT_AUDIT_SECRET } from './core/audit.js';

const booleanFlag = z
  .enum(['0', '1', 'true', 'false', 'yes', 'no'])
  .transform((value) => value === '1' || value === 'true' || value === 'yes');

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
    WHATSAPP: booleanFlag.default(false),
    WHATSAPP_SESSION_DIR: z.string().min(1).optional(),
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
    ALERT_SEND_RATE: z.coerce.number().min(1).max(1000).default(20),
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
    alertSendRate: env.ALERT_SEND_RATE,
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
