import { NO_CASE } from '../../core/audit.js';
import type { LoginStanding } from '../../core/loginThrottle.js';
import { isSupervisor, type Officer } from '../../core/officer.js';
import type { AuditTrail } from '../ports/auditTrail.js';
import type { Clock } from '../ports/clock.js';
import type { OfficerStore } from '../ports/officerStore.js';

/** An officer as a supervisor sees them: the account and how its logins stand. */
export type OfficerAccount = Officer & { login: LoginStanding };

/** The answer of an unlock: done (and whether anything was held), or not allowed to this officer. */
export type UnlockOutcome = { ok: true; unlocked: boolean } | { ok: false; reason: 'not_found' };

export interface OfficerAccountsDeps {
  officers: Pick<OfficerStore, 'find' | 'list' | 'loginStanding' | 'clearLoginFailures'>;
  audit: Pick<AuditTrail, 'append'>;
  clock: Clock;
}

/**
 * What supervisors and admins do to accounts: see who is slowed down, and lift
 * a slow-down (an account) or a lock-out (an address). A supervisor acts on
 * their own region's officers, an admin on all; every unlock is audited.
 */
export class OfficerAccounts {
  constructor(private readonly deps: OfficerAccountsDeps) {}

  /** The officers this supervisor answers for, with their login standing; nobody for an officer. */
  async list(actor: Officer): Promise<OfficerAccount[]> {
    if (!isSupervisor(actor)) return [];
    const all = await this.deps.officers.list();
    const visible = all.filter((o) => actor.role === 'admin' || o.region === actor.region);
    return Promise.all(
      visible.map(async (o) => ({
        ...o,
        login: await this.deps.officers.loginStanding({ kind: 'account', username: o.username }),
      })),
    );
  }

  /** Forgets an account's failed logins; the same `not_found` for an account out of reach. */
  async unlockAccount(actor: Officer, username: string): Promise<UnlockOutcome> {
    const target = await this.deps.officers.find(username);
    const allowed =
      isSupervisor(actor) &&
      target !== null &&
      (actor.role === 'admin' || target.region === actor.region);
    if (!target || !allowed) return { ok: false, reason: 'not_found' };
    const unlocked = await this.deps.officers.clearLoginFailures({
      kind: 'account',
      username: target.username,
    });
    await this.deps.audit.append({
      at: this.deps.clock.now(),
      actor: actor.username,
      action: 'login.account_unlocked',
      caseId: NO_CASE,
      details: { username: target.username, held: unlocked },
    });
    return { ok: true, unlocked };
  }

  /** Lifts the lock-out of one address (a station behind one NAT, after someone's mistakes). */
  async unlockAddress(actor: Officer, address: string): Promise<UnlockOutcome> {
    if (!isSupervisor(actor)) return { ok: false, reason: 'not_found' };
    const unlocked = await this.deps.officers.clearLoginFailures({ kind: 'address', address });
    await this.deps.audit.append({
      at: this.deps.clock.now(),
      actor: actor.username,
      action: 'login.address_unlocked',
      caseId: NO_CASE,
      details: { address, held: unlocked },
    });
    return { ok: true, unlocked };
  }
}
