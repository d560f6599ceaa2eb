import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { Connection, Model } from 'mongoose';
import { Schema } from 'mongoose';
import type { OfficerStore } from '../../app/ports/officerStore.js';
import { AppError } from '../../core/errors.js';
import {
  DEFAULT_LOGIN_THROTTLE,
  type LoginKey,
  type LoginReservation,
  type LoginStanding,
  type LoginThrottle,
  loginAllowance,
  loginKeyName,
  loginStanding,
  SESSION_IDLE_MS,
} from '../../core/loginThrottle.js';
import type { Officer, Role } from '../../core/officer.js';
import { isDuplicateKey } from '../../mongoErrors.js';

interface OfficerDocument {
  _id: string;
  passwordHash: string;
  role: Role;
  region: string;
  createdAt: Date;
}

interface SessionDocument {
  /** sha256 of the cookie token: a stolen database does not give live sessions. */
  _id: string;
  username: string;
  csrfToken: string;
  expiresAt: Date;
}

interface ThrottleDocument {
  _id: string;
  /** Attempts counted in the window: failures, and attempts being checked. */
  failures: number;
  lastFailureAt: Date;
  /** Past an account's allowance: when its next attempt may be checked. */
  slotAt?: Date | null;
}

const officerSchema = new Schema<OfficerDocument>(
  {
    _id: String,
    passwordHash: { type: String, required: true },
    role: { type: String, required: true },
    region: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'officers' },
);
const sessionSchema = new Schema<SessionDocument>(
  {
    _id: String,
    username: { type: String, required: true },
    csrfToken: { type: String, required: true },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'sessions' },
);
// The purge of expired sessions reads this range, not every session.
sessionSchema.index({ expiresAt: 1 });
const throttleSchema = new Schema<ThrottleDocument>(
  {
    _id: String,
    failures: { type: Number, required: true },
    lastFailureAt: { type: Date, required: true },
    slotAt: { type: Date, default: null },
  },
  { versionKey: false, collection: 'login_throttle' },
);

/** argon2id, OWASP's recommended minimum (19 MiB, 2 passes). */
// `algorithm: 2` is Argon2id (the package's const enum cannot be imported under verbatimModuleSyntax).
const ARGON2 = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/** The throttle's rules, named here too for the composition root. */
export type { LoginThrottle };
export { DEFAULT_LOGIN_THROTTLE, SESSION_IDLE_MS };

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** Officers, their sessions, and the login throttle. */
export class MongoOfficerRepository implements OfficerStore {
  private readonly officers: Model<OfficerDocument>;
  private readonly sessions: Model<SessionDocument>;
  private readonly throttle: Model<ThrottleDocument>;
  /** Verified against when the username is unknown, so timing does not reveal who exists. */
  private readonly decoyHash: Promise<string>;

  constructor(
    connection: Connection,
    private readonly clock: () => Date = () => new Date(),
    private readonly throttleRules: LoginThrottle = DEFAULT_LOGIN_THROTTLE,
  ) {
    this.officers =
      connection.models.Officer ?? connection.model<OfficerDocument>('Officer', officerSchema);
    this.sessions =
      connection.models.Session ?? connection.model<SessionDocument>('Session', sessionSchema);
    this.throttle =
      connection.models.LoginThrottle ??
      connection.model<ThrottleDocument>('LoginThrottle', throttleSchema);
    this.decoyHash = hash(randomBytes(16).toString('hex'), ARGON2);
  }

  async create(input: {
    username: string;
    password: string;
    role: Role;
    region: string;
  }): Promise<Officer> {
    try {
      await this.officers.create({
        _id: input.username,
        passwordHash: await hash(input.password, ARGON2),
        role: input.role,
        region: input.region,
        createdAt: this.clock(),
      });
    } catch (error) {
      if (isDuplicateKey(error))
        throw new AppError('conflict', `officer ${input.username} already exists`);
      throw error;
    }
    return { username: input.username, role: input.role, region: input.region };
  }

  async find(username: string): Promise<Officer | null> {
    const doc = await this.officers.findOne({ _id: username }).lean();
    return doc ? { username: doc._id, role: doc.role, region: doc.region } : null;
  }

  /** Every officer (a police force's accounts: thousands at most, read by one cursor). */
  async list(): Promise<Officer[]> {
    const docs = await this.officers.find({}, { passwordHash: 0 }).sort({ _id: 1 }).lean();
    return docs.map((doc) => ({ username: doc._id, role: doc.role, region: doc.region }));
  }

  /** Checks a password; the same work is done whether or not the officer exists. */
  async verifyPassword(username: string, password: string): Promise<Officer | null> {
    const doc = await this.officers.findOne({ _id: username }).lean();
    const ok = await verify(doc?.passwordHash ?? (await this.decoyHash), password);
    return doc && ok ? { username: doc._id, role: doc.role, region: doc.region } : null;
  }

  async openSession(username: string): Promise<{ token: string; csrfToken: string }> {
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    await this.sessions.create({
      _id: sha256(token),
      username,
      csrfToken,
      expiresAt: new Date(this.clock().getTime() + SESSION_IDLE_MS),
    });
    return { token, csrfToken };
  }

  /** The officer behind a session cookie, if the session is alive; using it extends it. */
  async resumeSession(token: string): Promise<{ officer: Officer; csrfToken: string } | null> {
    const id = sha256(token);
    const session = await this.sessions.findOne({ _id: id }).lean();
    if (!session || session.expiresAt.getTime() <= this.clock().getTime()) return null;
    const officer = await this.find(session.username);
    if (!officer) return null;
    // Extended at most once a minute: every console request passes here.
    const extended = this.clock().getTime() + SESSION_IDLE_MS;
    if (extended - session.expiresAt.getTime() > 60_000) {
      await this.sessions.updateOne({ _id: id }, { $set: { expiresAt: new Date(extended) } });
    }
    return { officer, csrfToken: session.csrfToken };
  }

  async closeSession(token: string): Promise<void> {
    await this.sessions.deleteOne({ _id: sha256(token) });
  }

  /** Whether the session is open; read by `_id` and never extended. */
  async sessionAlive(token: string): Promise<boolean> {
    const session = await this.sessions.findOne({ _id: sha256(token) }, { expiresAt: 1 }).lean();
    return session !== null && session.expiresAt.getTime() > this.clock().getTime();
  }

  /**
   * Counts one attempt before its password is checked. Each step is one
   * guarded single-document update, so concurrent attempts cannot all slip
   * under the allowance: a quiet window is forgotten (guarded by its age),
   * then the attempt is counted only while the count is under the allowance
   * (`{failures: {$lt: allowance}}`, an upsert the first time). Past it, an
   * address is refused until its window passes; an account gets one attempt
   * per `maxDelayMs`, taken by a guarded move of its `slotAt`.
   */
  async reserveLoginAttempt(key: LoginKey): Promise<LoginReservation> {
    const _id = sha256(loginKeyName(key));
    const now = this.clock();
    const rules = this.throttleRules;
    const allowance = loginAllowance(key, rules);
    await this.throttle.updateOne(
      { _id, lastFailureAt: { $lt: new Date(now.getTime() - rules.windowMs) } },
      { $set: { failures: 0, slotAt: null } },
    );
    const count = { $inc: { failures: 1 }, $set: { lastFailureAt: now } };
    const underAllowance = { _id, failures: { $lt: allowance } };
    let counted: ThrottleDocument | null = null;
    try {
      counted = await this.throttle
        .findOneAndUpdate(underAllowance, count, { new: true, upsert: true })
        .lean();
    } catch (error) {
      // Either the count is at the allowance (the upsert's insert hit the
      // existing document), or another first attempt created it meanwhile.
      if (!isDuplicateKey(error)) throw error;
      counted = await this.throttle.findOneAndUpdate(underAllowance, count, { new: true }).lean();
    }
    if (counted) return { ok: true, attempt: counted.failures, pastAllowance: false };

    const current = await this.throttle.findOne({ _id }).lean();
    if (!current) return { ok: false, retryAfterMs: rules.baseDelayMs };
    if (key.kind === 'address') {
      const left = rules.windowMs - (now.getTime() - current.lastFailureAt.getTime());
      return { ok: false, retryAfterMs: Math.max(left, 1) };
    }
    // The first attempt past the allowance opens the account's slot one period later.
    await this.throttle.updateOne(
      { _id, slotAt: null },
      { $set: { slotAt: new Date(now.getTime() + rules.maxDelayMs) } },
    );
    const slot = await this.throttle
      .findOneAndUpdate(
        { _id, slotAt: { $lte: now } },
        {
          $inc: { failures: 1 },
          $set: { lastFailureAt: now, slotAt: new Date(now.getTime() + rules.maxDelayMs) },
        },
        { new: true },
      )
      .lean();
    if (slot) return { ok: true, attempt: slot.failures, pastAllowance: true };
    const opens = (await this.throttle.findOne({ _id }).lean())?.slotAt;
    const wait = opens ? opens.getTime() - now.getTime() : rules.maxDelayMs;
    return { ok: false, retryAfterMs: Math.max(1, Math.min(wait, rules.maxDelayMs)) };
  }

  async releaseLoginAttempt(key: LoginKey): Promise<void> {
    await this.throttle.updateOne(
      { _id: sha256(loginKeyName(key)), failures: { $gt: 0 } },
      { $inc: { failures: -1 } },
    );
  }

  async clearLoginFailures(key: LoginKey): Promise<boolean> {
    const removed = await this.throttle.deleteOne({ _id: sha256(loginKeyName(key)) });
    return removed.deletedCount > 0;
  }

  async loginStanding(key: LoginKey): Promise<LoginStanding> {
    const doc = await this.throttle.findOne({ _id: sha256(loginKeyName(key)) }).lean();
    return loginStanding(key, doc, this.clock(), this.throttleRules);
  }

  /** Purge job: expired sessions. */
  async purgeExpiredSessions(now: Date): Promise<number> {
    return (await this.sessions.deleteMany({ expiresAt: { $lt: now } })).deletedCount;
  }
}
