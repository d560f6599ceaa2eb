import { randomUUID } from 'node:crypto';
import {
  type Alert,
  type AlertEndReason,
  type AlertStage,
  type AlertTexts,
  containsPhoneNumber,
  type GeoPoint,
  publicProjection,
} from '../../core/alert/alert.js';
import { capRecord, END_TRANSITIONS, mayApply } from '../../core/alert/alertLifecycle.js';
import { composeAlertTexts, PHONE_IN_TEXT_ERROR_KEY } from '../../core/alert/composeAlert.js';
import type { StoredCase } from '../../core/case/storedCase.js';
import { key, raw } from '../../core/conversation/text.js';
import { AppError, channelErrorSummary } from '../../core/errors.js';
import type { Translator } from '../../core/i18n/translator.js';
import { LANGUAGES } from '../../core/nlu/language.js';
import type { Officer } from '../../core/officer.js';
import type { Gazetteer } from '../../core/place/gazetteer.js';
import type { Logger } from '../../logger.js';
import type { AlertStore } from '../ports/alertStore.js';
import type { CaseStore } from '../ports/caseStore.js';
import type { Clock } from '../ports/clock.js';
import type { Events } from '../ports/events.js';
import type { Notifier } from '../ports/notifier.js';
import type { AlertSettings } from './alertSettings.js';
import { publishAlert, recordAlertStep } from './alertSteps.js';
import type { AlertSendGate } from './sendGate.js';
import type { StageEnqueuer } from './stageEnqueuer.js';

export interface AlertCommandsDeps {
  alerts: AlertStore;
  cases: Pick<CaseStore, 'get' | 'transition' | 'recordAlert'>;
  stages: Pick<StageEnqueuer, 'enqueueDue' | 'queueClosing'>;
  gate: Pick<AlertSendGate, 'closed'>;
  gazetteer: Gazetteer;
  translator: Translator;
  notifier: Notifier;
  events: Events;
  clock: Clock;
  logger: Logger;
  settings: AlertSettings;
}

/** What an officer proposes; every field has a default from the case and the settings. */
export interface AlertProposal {
  centre?: GeoPoint | undefined;
  stages?: AlertStage[] | undefined;
  windowHours?: number | undefined;
  texts?: AlertTexts | undefined;
}

/**
 * What officers do to alerts: preview, propose, approve (another
 * supervisor), extend, cancel, and the end when the case is resolved. Each
 * is a guarded single-document transition (src/core/alert/alertLifecycle.ts);
 * whatever a crash interrupts after it, the scheduler's next pass redoes.
 */
export class AlertCommands {
  constructor(private readonly deps: AlertCommandsDeps) {}

  /** The centre an alert defaults to: the pin, or the city of the place last seen. */
  defaultCentre(found: StoredCase): GeoPoint | null {
    const place = found.lastSeen.place;
    if (place.kind === 'pin') return { lat: place.latitude, lon: place.longitude };
    const city =
      this.deps.gazetteer.findCity(found.lastSeen.city ?? '') ??
      this.deps.gazetteer.findCity(place.text);
    return city ? { lat: city.lat, lon: city.lon } : null;
  }

  /** What the officer sees before proposing: nothing is stored. */
  preview(found: StoredCase) {
    const content = publicProjection(found);
    return {
      content,
      texts: composeAlertTexts(content, {
        translator: this.deps.translator,
        abductionSuspected: found.abduction.suspected === 'yes',
      }),
      centre: this.defaultCentre(found),
      stages: [...this.deps.settings.stages],
      windowHours: this.deps.settings.windowHours,
    };
  }

  async propose(found: StoredCase, officer: Officer, proposal: AlertProposal): Promise<Alert> {
    if (found.status !== 'confirmed')
      throw new AppError('conflict', 'the case is not confirmed', undefined, {
        key: 'alert:errors.case_not_confirmed',
      });
    const preview = this.preview(found);
    const centre = proposal.centre ?? preview.centre;
    if (!centre)
      throw new AppError('bad_request', 'no centre: the place last seen is not known', undefined, {
        key: 'alert:errors.no_centre',
        fields: ['centre'],
      });
    const windowHours = proposal.windowHours ?? this.deps.settings.windowHours;
    if (windowHours > this.deps.settings.maxHours) throw this.tooLong(['windowHours']);
    const texts = proposal.texts ?? preview.texts;
    const withPhone = LANGUAGES.filter((language) => containsPhoneNumber(texts[language]));
    if (withPhone.length > 0)
      throw new AppError('bad_request', 'alert text carries a phone number', undefined, {
        key: PHONE_IN_TEXT_ERROR_KEY,
        fields: withPhone.map((language) => `texts.${language}`),
      });
    const now = this.deps.clock.now();
    const alertId = randomUUID();
    if (!(await this.deps.alerts.claimOpen(found._id, alertId, now)))
      throw new AppError('conflict', 'this case already has an open alert', undefined, {
        key: 'alert:errors.already_open',
      });
    const alert: Alert = {
      _id: alertId,
      caseId: found._id,
      caseReference: found.reference,
      region: found.region,
      state: 'proposed',
      endReason: null,
      centre,
      stages: proposal.stages ?? [...this.deps.settings.stages],
      windowHours,
      abductionSuspected: found.abduction.suspected === 'yes',
      content: preview.content,
      photoId: found.child.photoId,
      texts,
      proposedBy: officer.username,
      proposedAt: now,
      approvedBy: null,
      approvedAt: null,
      expiresAt: null,
      endedBy: null,
      endedAt: null,
      stagesQueued: 0,
      closingQueued: false,
      cap: [],
    };
    try {
      await this.deps.alerts.insert(alert);
    } catch (error) {
      await this.deps.alerts.releaseOpen(found._id, alertId);
      throw error;
    }
    await recordAlertStep(this.deps.cases, alert, {
      actor: officer.username,
      action: 'alert.proposed',
      at: now,
    });
    publishAlert(this.deps.events, alert);
    return alert;
  }

  /**
   * A supervisor other than the proposer approves: the case becomes
   * `alert_active`, the family is told and the first stage is enqueued.
   */
  async approve(alert: Alert, officer: Officer): Promise<Alert> {
    if (!mayApply('approve', alert.state)) throw notProposed();
    if (alert.proposedBy === officer.username)
      throw new AppError('conflict', 'the proposer cannot approve their own alert', undefined, {
        key: 'alert:errors.own_proposal',
      });
    const now = this.deps.clock.now();
    const moved = await this.deps.cases.transition(
      alert.caseId,
      'activateAlert',
      officer.username,
      now,
    );
    if (!moved.ok)
      throw new AppError('conflict', 'the case is no longer confirmed', undefined, {
        key: 'alert:errors.case_changed',
      });
    const approved = await this.deps.alerts.apply(alert._id, {
      transition: 'approve',
      set: {
        approvedBy: officer.username,
        approvedAt: now,
        expiresAt: new Date(now.getTime() + alert.windowHours * 3_600_000),
      },
      cap: capRecord(alert, 'Alert', now, 0),
    });
    if (!approved) {
      // Cancelled between our read and our write: put the case back.
      await this.deps.cases.transition(alert.caseId, 'endAlert', officer.username, now);
      throw notProposed();
    }
    await recordAlertStep(this.deps.cases, approved, {
      actor: officer.username,
      action: 'alert.approved',
      at: now,
    });
    // The family hears first; choosing the recipients among every subscriber takes longer.
    await this.tellFamily(approved, 'alert:family.live');
    publishAlert(this.deps.events, approved);
    return this.deps.stages.enqueueDue(approved, now);
  }

  /** Adds hours to an active alert, up to the maximum. */
  async extend(alert: Alert, officer: Officer, hours: number): Promise<Alert> {
    if (!mayApply('extend', alert.state) || !alert.expiresAt || !alert.approvedAt)
      throw notActive();
    const windowHours = alert.windowHours + hours;
    if (windowHours > this.deps.settings.maxHours) throw this.tooLong(['hours']);
    const now = this.deps.clock.now();
    const extended = await this.deps.alerts.apply(alert._id, {
      transition: 'extend',
      set: {
        windowHours,
        expiresAt: new Date(new Date(alert.approvedAt).getTime() + windowHours * 3_600_000),
      },
    });
    if (!extended) throw notActive();
    await recordAlertStep(this.deps.cases, extended, {
      actor: officer.username,
      action: 'alert.extended',
      at: now,
    });
    publishAlert(this.deps.events, extended);
    return extended;
  }

  /** Cancels a proposed or active alert. */
  cancel(alert: Alert, officer: Officer): Promise<Alert> {
    return this.end(alert, 'cancelled', officer.username);
  }

  /** The case was resolved: its open alert ends with "the child has been found". */
  async endForCase(caseId: string, by: string): Promise<void> {
    for (const alert of await this.deps.alerts.forCase(caseId)) {
      if (alert.state === 'ended') continue;
      // Ended meanwhile (cancelled, expired): the case is resolved all the same.
      await this.end(alert, 'resolved', by).catch((error: unknown) => {
        if (!(error instanceof AppError && error.code === 'conflict')) throw error;
      });
    }
  }

  /**
   * Ends an alert: nothing more of it is sent, the case goes back to
   * `confirmed` (unless the child was found), a CAP Cancel is published and
   * everyone it reached gets the closing message. An expiry passes the
   * `expiresAt` it read, so an extension made meanwhile wins.
   */
  async end(
    alert: Alert,
    reason: AlertEndReason,
    by: string,
    expiresAt?: Date | null,
  ): Promise<Alert> {
    const now = this.deps.clock.now();
    const transition = END_TRANSITIONS[reason];
    const set = { endReason: reason, endedBy: by, endedAt: now };
    // Whether it was active is decided by the write that ends it, not by an
    // earlier read: an approval may have landed in between.
    const ended =
      (await this.deps.alerts.apply(alert._id, {
        transition,
        from: 'active',
        set,
        cap: capRecord(alert, 'Cancel', now, Math.max(0, alert.stagesQueued - 1)),
        ...(expiresAt === undefined ? {} : { expiresAt }),
      })) ??
      (expiresAt === undefined
        ? await this.deps.alerts.apply(alert._id, { transition, from: 'proposed', set })
        : null);
    if (!ended)
      throw new AppError('conflict', 'the alert has already ended', undefined, {
        key: 'alert:errors.ended',
      });
    const wasActive = ended.approvedAt !== null;
    this.deps.gate.closed(alert._id);
    await this.deps.alerts.releaseOpen(alert.caseId, alert._id);
    await recordAlertStep(this.deps.cases, ended, {
      actor: by,
      action: `alert.${reason}`,
      at: now,
    });
    if (reason !== 'resolved') {
      // Guarded by the case's state: a case an approval left in `alert_active` comes back too.
      await this.deps.cases.transition(alert.caseId, 'endAlert', by, now);
    }
    if (wasActive) {
      if (reason !== 'resolved') await this.tellFamily(ended, 'alert:family.ended');
      await this.deps.stages.queueClosing(ended);
    } else {
      await this.deps.alerts.markClosingQueued(alert._id);
    }
    publishAlert(this.deps.events, ended);
    return (await this.deps.alerts.get(alert._id)) ?? ended;
  }

  private tooLong(fields: string[]): AppError {
    const max = this.deps.settings.maxHours;
    return new AppError('bad_request', `an alert lasts at most ${max} h`, undefined, {
      key: 'alert:errors.too_long',
      params: { max: String(max) },
      fields,
    });
  }

  private async tellFamily(alert: Alert, sentence: string): Promise<void> {
    const found = await this.deps.cases.get(alert.caseId);
    if (!found) return;
    try {
      await this.deps.notifier.send(
        { channel: found.channel, address: found.reporter.address, language: found.language },
        key(sentence, { reference: raw(found.reference) }),
      );
    } catch (error) {
      this.deps.logger.error(
        { ...channelErrorSummary(error), caseId: found._id },
        'family notification failed',
      );
    }
  }
}

const notProposed = () =>
  new AppError('conflict', 'the alert is not proposed', undefined, {
    key: 'alert:errors.not_proposed',
  });
const notActive = () =>
  new AppError('conflict', 'the alert is not active', undefined, {
    key: 'alert:errors.not_active',
  });
