import { accountDelayMs, type LoginKey, type LoginThrottle } from '../../core/loginThrottle.js';
import type { Officer } from '../../core/officer.js';
import type { OfficerStore } from '../ports/officerStore.js';
import type { BoundedChecks } from './boundedChecks.js';

/** The outcome of a login. */
export type SignInResult =
  | { ok: true; officer: Officer }
  | { ok: false; reason: 'invalid_credentials' }
  /** The address is locked out, or the account's next slot is not open yet. */
  | { ok: false; reason: 'throttled'; retryAfterMs: number }
  /** Too many password checks are running or waiting in this process. */
  | { ok: false; reason: 'busy'; retryAfterMs: number };

export interface SignInDeps {
  officers: Pick<
    OfficerStore,
    'verifyPassword' | 'reserveLoginAttempt' | 'releaseLoginAttempt' | 'clearLoginFailures'
  >;
  rules: LoginThrottle;
  checks: BoundedChecks;
  /** Waits before an account's password is checked (tests pass the real one too). */
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms);
  });

/**
 * An officer's login. The attempt is counted against the address and the
 * account before the password is checked, so parallel guesses cannot all be
 * checked before the first failure is recorded; an address past its
 * allowance is refused, an account only slowed down (so failing on purpose
 * from one address never keeps the officer out elsewhere); and only a few
 * password checks run at once.
 */
export class SignIn {
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly deps: SignInDeps) {
    this.sleep = deps.sleep ?? realSleep;
  }

  async signIn(username: string, password: string, address: string): Promise<SignInResult> {
    const { officers } = this.deps;
    const byAddress: LoginKey = { kind: 'address', address };
    const byAccount: LoginKey = { kind: 'account', username };
    const fromAddress = await officers.reserveLoginAttempt(byAddress);
    if (!fromAddress.ok)
      return { ok: false, reason: 'throttled', retryAfterMs: fromAddress.retryAfterMs };
    const onAccount = await officers.reserveLoginAttempt(byAccount);
    if (!onAccount.ok) {
      // Not checked: the address keeps its attempt for when the slot opens.
      await officers.releaseLoginAttempt(byAddress);
      return { ok: false, reason: 'throttled', retryAfterMs: onAccount.retryAfterMs };
    }
    await this.sleep(accountDelayMs(onAccount, this.deps.rules));
    const checked = await this.deps.checks.run(() => officers.verifyPassword(username, password));
    if (!checked.ok) {
      await Promise.all([
        officers.releaseLoginAttempt(byAddress),
        officers.releaseLoginAttempt(byAccount),
      ]);
      return { ok: false, reason: 'busy', retryAfterMs: 1_000 };
    }
    if (!checked.value) return { ok: false, reason: 'invalid_credentials' };
    await Promise.all([
      officers.clearLoginFailures(byAccount),
      officers.releaseLoginAttempt(byAddress),
    ]);
    return { ok: true, officer: checked.value };
  }
}
