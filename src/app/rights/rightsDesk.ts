import { createHash } from 'node:crypto';
import type { FileRightsRequest } from '../../core/conversation/rightsTurn.js';
import { key, raw, type Text } from '../../core/conversation/text.js';
import { channelErrorSummary } from '../../core/errors.js';
import type { Language } from '../../core/nlu/language.js';
import { canAccessRegion, isSupervisor, type Officer } from '../../core/officer.js';
import {
  type EraseRefusalReason,
  mayEraseCase,
  type RightsRequest,
} from '../../core/rights/rightsRequest.js';
import type { SubjectRecord } from '../../core/rights/subjectRecord.js';
import type { Logger } from '../../logger.js';
import type { AuditTrail } from '../ports/auditTrail.js';
import type { CaseStore } from '../ports/caseStore.js';
import type { Clock } from '../ports/clock.js';
import type { Events } from '../ports/events.js';
import type { Notifier } from '../ports/notifier.js';
import type { Outbox } from '../ports/outbox.js';
import type { ErasureReport, PersonalData } from '../ports/personalData.js';
import type { RightsRequests, RightsScope } from '../ports/rightsRequests.js';
import type { SubscriptionStore } from '../ports/subscriptions.js';

/** What the rights desk works with: ports only. */
export interface RightsDeskDeps {
  requests: RightsRequests;
  personalData: PersonalData;
  cases: Pick<CaseStore, 'get'>;
  subscriptions: Pick<SubscriptionStore, 'unsubscribe'>;
  outbox: Pick<Outbox, 'purge'>;
  audit: Pick<AuditTrail, 'append'>;
  notifier: Notifier;
  events?: Pick<Events, 'publish'>;
  clock: Clock;
  logger: Logger;
  hashId: (id: string) => string;
}

/** Why a decision on a request was refused. `not_found` also answers what the officer may not see. */
export type RightsRefusal = 'not_found' | 'conflict' | 'case_open';

/** A decision's answer. */
export type RightsOutcome =
  | { ok: true; request: RightsRequest; erased?: ErasureReport }
  | { ok: false; reason: RightsRefusal };

/** Who the turn is talking to, when the bot files a request. */
export interface RightsSubject {
  channel: string;
  address: string;
  language: Language;
  now: Date;
}

/** What filing did at once (a citizen's subscription is erased without review). */
export interface RightsFiled {
  requestId: string;
  erasedAtOnce: string[];
}

/** The audit trail wants a case id: a request about no case is logged under its own id. */
const auditSubject = (request: RightsRequest): string => request.caseId ?? `rights:${request._id}`;

/**
 * Law 09-08's rights as use cases. The bot files requests (`record` answers
 * "see my data" at once); a correction goes to the officers of the case's
 * region, an erasure to a supervisor of that region (any supervisor when the
 * case has none), who applies or refuses it with a reason; the family is told
 * the outcome in their language. A citizen's subscription is erased at once:
 * it serves only them, and STOP already stops it. Every step is audited.
 */
export class RightsDesk {
  constructor(private readonly deps: RightsDeskDeps) {}

  /** What is stored about a number, for the bot's "see my data". */
  record(channel: string, address: string): Promise<SubjectRecord> {
    return this.deps.personalData.collect(channel, address);
  }

  /** Files what the conversation asked for; a retried turn files it once. */
  async file(effect: FileRightsRequest, subject: RightsSubject): Promise<RightsFiled> {
    const { channel, address, language, now } = subject;
    const subjectHash = this.deps.hashId(`${channel}:${address}`);
    const _id = `rr-${createHash('sha256').update(`${channel}:${address}:${effect.messageId}`).digest('base64url').slice(0, 22)}`;
    const known = await this.deps.requests.get(_id);
    if (known) return { requestId: known._id, erasedAtOnce: known.erasedAtOnce };

    const record = await this.record(channel, address);
    const [latest] = record.cases;
    const region = latest?.region ?? record.sightings[0]?.region ?? null;
    const erasedAtOnce: string[] = [];
    let status: 'answered' | 'pending' = effect.kind === 'access' ? 'answered' : 'pending';
    if (effect.kind === 'erase') {
      if (record.subscription) {
        await this.deps.subscriptions.unsubscribe(channel, address, now);
        await this.deps.personalData.eraseSubscription(channel, address);
        erasedAtOnce.push('subscription');
      }
      // Nothing left for a supervisor to weigh: the request is answered by what was just done.
      if (record.cases.length === 0 && record.sightings.length === 0) status = 'answered';
    }
    const filed = await this.deps.requests.file({
      _id,
      kind: effect.kind,
      status,
      channel,
      address: status === 'answered' && effect.kind === 'erase' ? null : address,
      subjectHash,
      language,
      caseId: latest?.id ?? null,
      caseReference: latest?.reference ?? null,
      region,
      text: effect.kind === 'rectify' ? effect.text : null,
      erasedAtOnce,
      createdAt: now,
    });
    const request = filed.request;
    // Erased at once with nothing left to review: no request keeps the number either.
    if (effect.kind === 'erase' && status === 'answered') {
      await this.deps.requests.forgetSubject(channel, address);
    }
    if (filed.created) {
      await this.deps.audit.append({
        at: now,
        actor: 'family',
        action: `rights.${effect.kind}.${status === 'pending' ? 'requested' : 'answered'}`,
        caseId: auditSubject(request),
        details: { request: request._id, erasedAtOnce: erasedAtOnce.join(',') || null },
      });
      if (request.caseId && status === 'pending') {
        this.deps.events?.publish({ type: 'updated', caseId: request.caseId, region });
      }
    }
    this.deps.logger.info(
      { request: request._id, kind: request.kind, status: request.status, subject: subjectHash },
      'rights request filed',
    );
    return { requestId: request._id, erasedAtOnce: request.erasedAtOnce };
  }

  /**
   * The pending requests an officer decides: an admin every one; a supervisor
   * those of their region and those of no region; an officer the corrections
   * of their region's cases.
   */
  async pendingFor(officer: Officer): Promise<RightsRequest[]> {
    const scope: RightsScope =
      officer.role === 'admin'
        ? 'all'
        : { regions: isSupervisor(officer) ? [officer.region, null] : [officer.region] };
    const pending = await this.deps.requests.pending(scope);
    return pending.filter((request) => this.mayDecide(officer, request));
  }

  /** A case's requests (its timeline), for an officer who may see the case. */
  async forCase(officer: Officer, caseId: string): Promise<RightsRequest[] | null> {
    const found = await this.deps.cases.get(caseId);
    if (!found || !canAccessRegion(officer, found.region)) return null;
    return this.deps.requests.forCase(caseId);
  }

  /**
   * Applies a request: a correction is marked applied with the officer's note
   * (the case then shows it beside the original answer); an erasure deletes
   * everything stored about the number, its cases included, but only once no
   * case of it is open.
   */
  async apply(officer: Officer, id: string, note: string | null): Promise<RightsOutcome> {
    const request = await this.decidable(officer, id);
    if (!request.ok) return request;
    const now = this.deps.clock.now();
    const found = request.request;
    let erased: ErasureReport | undefined;
    if (found.kind === 'erase') {
      const outcome = await this.erase(found);
      if (!outcome.ok) return outcome;
      erased = outcome.erased;
    }
    const decided = await this.deps.requests.decide(found._id, {
      status: 'applied',
      by: officer.username,
      at: now,
      reason: null,
      note,
    });
    if (!decided.ok) return decided;
    if (found.kind === 'erase' && found.address) {
      await this.deps.requests.forgetSubject(found.channel, found.address);
    }
    await this.deps.audit.append({
      at: now,
      actor: officer.username,
      action: `rights.${found.kind}.applied`,
      caseId: auditSubject(found),
      details: { request: found._id, ...(erased ?? {}) },
    });
    await this.tell(found, key(`rights:notify.${found.kind}_applied`, this.referenceOf(found)));
    if (found.caseId && found.kind === 'rectify') {
      this.deps.events?.publish({ type: 'updated', caseId: found.caseId, region: found.region });
    }
    return { ok: true, request: decided.request, ...(erased ? { erased } : {}) };
  }

  /** Refuses a request with a reason the family hears in their language. */
  async refuse(
    officer: Officer,
    id: string,
    reason: EraseRefusalReason,
    note: string | null,
  ): Promise<RightsOutcome> {
    const request = await this.decidable(officer, id);
    if (!request.ok) return request;
    const found = request.request;
    const now = this.deps.clock.now();
    const decided = await this.deps.requests.decide(found._id, {
      status: 'refused',
      by: officer.username,
      at: now,
      reason,
      note,
    });
    if (!decided.ok) return decided;
    await this.deps.audit.append({
      at: now,
      actor: officer.username,
      action: `rights.${found.kind}.refused`,
      caseId: auditSubject(found),
      details: { request: found._id, reason },
    });
    await this.tell(
      found,
      key('rights:notify.refused', {
        ...this.referenceOf(found),
        what: key(`rights:notify.what.${found.kind}`),
        reason: key(`rights:refusal.${reason}`),
      }),
    );
    return decided;
  }

  /** The request if this officer may decide it now. */
  private async decidable(
    officer: Officer,
    id: string,
  ): Promise<{ ok: true; request: RightsRequest } | { ok: false; reason: RightsRefusal }> {
    const found = await this.deps.requests.get(id);
    if (!found || !this.mayDecide(officer, found)) {
      this.deps.logger.warn({ officer: officer.username, request: id }, 'rights request refused');
      return { ok: false, reason: 'not_found' };
    }
    if (found.status !== 'pending') return { ok: false, reason: 'conflict' };
    return { ok: true, request: found };
  }

  /** Erasures are supervisors' (of the region, or any for none); corrections the region's officers'. */
  private mayDecide(officer: Officer, request: RightsRequest): boolean {
    if (officer.role === 'admin') return true;
    if (request.kind === 'erase') {
      return (
        isSupervisor(officer) && (request.region === null || request.region === officer.region)
      );
    }
    return request.region !== null && request.region === officer.region;
  }

  /**
   * Deletes everything about the number: its cases (none may be open), their
   * photos, sightings, alerts and who the alerts reached, then what the number
   * left itself (conversation, subscription, sightings).
   */
  private async erase(
    request: RightsRequest,
  ): Promise<{ ok: true; erased: ErasureReport } | { ok: false; reason: RightsRefusal }> {
    if (!request.address) return { ok: false, reason: 'conflict' };
    const { channel, address } = request;
    const record = await this.record(channel, address);
    if (record.cases.some((found) => !mayEraseCase(found.status))) {
      return { ok: false, reason: 'case_open' };
    }
    const caseIds = record.cases.map((found) => found.id);
    for (const alertId of await this.deps.personalData.alertsOfCases(caseIds)) {
      await this.deps.outbox.purge(alertId);
    }
    if (record.subscription)
      await this.deps.subscriptions.unsubscribe(channel, address, this.deps.clock.now());
    const fromCases = await this.deps.personalData.eraseCases(caseIds);
    const fromSubject = await this.deps.personalData.eraseSubject(channel, address);
    const erased: ErasureReport = { ...fromCases };
    for (const [collection, count] of Object.entries(fromSubject)) {
      erased[collection] = (erased[collection] ?? 0) + count;
    }
    this.deps.logger.info({ request: request._id, erased }, 'personal data erased');
    return { ok: true, erased };
  }

  private referenceOf(request: RightsRequest): Record<string, Text> {
    return { reference: raw(request.caseReference ?? '—') };
  }

  /** Tells the family the outcome; a notice that cannot be delivered never undoes the decision. */
  private async tell(request: RightsRequest, text: Text): Promise<void> {
    if (!request.address) return;
    try {
      await this.deps.notifier.send(
        { channel: request.channel, address: request.address, language: request.language },
        text,
      );
    } catch (error) {
      this.deps.logger.error(
        { ...channelErrorSummary(error), request: request._id },
        'rights outcome notification failed',
      );
    }
  }
}
