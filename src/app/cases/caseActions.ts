import { randomUUID } from 'node:crypto';
import type { AuditEntry } from '../../core/audit.js';
import {
  confirmationChecklistSchema,
  FAMILY_TALKS_TO_OFFICER,
  type REJECT_REASONS,
  type RESOLVE_REASONS,
  type TransitionName,
} from '../../core/case/caseLifecycle.js';
import type { CaseStatus } from '../../core/case/caseStatus.js';
import type { QueueScope } from '../../core/case/queueScope.js';
import type { CaseMessage, CaseNote } from '../../core/case/report.js';
import type { QueueEntry, StoredCase, TransitionResult } from '../../core/case/storedCase.js';
import { key, raw } from '../../core/conversation/text.js';
import { channelErrorSummary } from '../../core/errors.js';
import { canAccessRegion, isSupervisor, type Officer } from '../../core/officer.js';
import type { Logger } from '../../logger.js';
import type { AudioStore } from '../ports/audioStore.js';
import type { AuditTrail } from '../ports/auditTrail.js';
import type { CaseStore } from '../ports/caseStore.js';
import type { Clock } from '../ports/clock.js';
import type { Events } from '../ports/events.js';
import type { Notifier } from '../ports/notifier.js';
import type { OfficerStore } from '../ports/officerStore.js';
import type { PhotoStore } from '../ports/photoStore.js';

/**
 * Ends the open alert of a case that was just resolved ("the child has been
 * found"). A function rather than the alert commands themselves: resolving a
 * case needs nothing else of them, and the alert commands already depend on
 * the cases, so naming their class here would tie the two use cases together.
 */
export type EndAlertOfCase = (caseId: string, by: string) => Promise<void>;

/**
 * Why a case action was refused. `not_found` also answers an officer of
 * another region, and a role that may not act: what cannot be seen cannot be
 * told apart from what does not exist.
 */
export type CaseRefusal =
  | 'not_found'
  /** The case is not (or no longer) in a state that allows the action. */
  | 'conflict'
  /** The officer a case is given to does not exist or works elsewhere. */
  | 'unknown_officer'
  /** A confirmation without every box of the activation checklist ticked. */
  | 'incomplete_checklist';

/** The answer of an action on a case: what it produced, or why it was refused. */
export type CaseOutcome<T> = ({ ok: true } & T) | { ok: false; reason: CaseRefusal };

/** What the case actions work with. */
export interface CaseActionsDeps {
  cases: CaseStore;
  officers: Pick<OfficerStore, 'find'>;
  photos: Pick<PhotoStore, 'load'>;
  audio: Pick<AudioStore, 'load'>;
  audit: Pick<AuditTrail, 'forCase'>;
  notifier: Notifier;
  events: Pick<Events, 'publish'>;
  clock: Clock;
  logger: Logger;
  /** Without it, resolving a case leaves its alerts alone (a deployment without alerts). */
  endAlertOfCase?: EndAlertOfCase;
}

/** Why a report is rejected (the family hears it in their language). */
export type RejectReason = (typeof REJECT_REASONS)[number];
/** How a case ends once the child is found. */
export type ResolveReason = (typeof RESOLVE_REASONS)[number];

/** A message an officer wrote to the family. */
export type OfficerMessage = CaseMessage & { from: 'officer'; officer: string };

type Found = { ok: true; case: StoredCase } | { ok: false; reason: 'not_found' };

/**
 * What officers do to cases: take one, give it back or to a colleague,
 * confirm or reject it, close it when the child is found, talk to the family
 * through the bot, keep notes, and read it (every read audited). Every status
 * change is the store's guarded transition, so of two officers acting at once
 * exactly one wins and the family is told once. The family hears each step in
 * their own language; a notice that cannot be delivered never undoes the step.
 */
export class CaseActions {
  constructor(private readonly deps: CaseActionsDeps) {}

  /**
   * The open cases in a status: of the officer's region (all regions for an
   * admin), or the national queue, the cases no region claims, which every
   * supervisor and admin sees (an officer's national queue is empty).
   */
  async openCases(
    officer: Officer,
    status: CaseStatus,
    queue: 'region' | 'national' = 'region',
  ): Promise<QueueEntry[]> {
    if (queue === 'national' && !isSupervisor(officer)) return [];
    const scope: QueueScope =
      queue === 'national'
        ? { kind: 'national' }
        : officer.role === 'admin'
          ? { kind: 'all' }
          : { kind: 'region', region: officer.region };
    return this.deps.cases.queue([status], scope);
  }

  /**
   * Gives a case of the national queue its region (a supervisor or an admin;
   * an admin may also move a case between regions). Guarded by the region the
   * case has now, audited with the old and the new value; the case then waits
   * in that region's queue.
   */
  async setRegion(
    officer: Officer,
    caseId: string,
    region: string,
  ): Promise<CaseOutcome<{ case: StoredCase }>> {
    const found = await this.supervisedCase(officer, caseId, 'region change');
    if (!found.ok) return found;
    if (found.case.region !== null && officer.role !== 'admin')
      return { ok: false, reason: 'conflict' };
    const result = await this.deps.cases.setRegion(found.case._id, found.case.region, region, {
      by: officer.username,
      now: this.deps.clock.now(),
    });
    if (!result.ok) return result;
    // Both queues change: the one it left and the region's.
    this.publishUpdate(found.case);
    this.publishUpdate(result.case);
    return result;
  }

  /** A whole case; the view is audited. */
  async viewCase(officer: Officer, caseId: string): Promise<CaseOutcome<{ case: StoredCase }>> {
    const found = await this.authorizedCase(officer, caseId);
    if (!found.ok) return found;
    await this.deps.cases.recordView(
      found.case._id,
      officer.username,
      this.deps.clock.now(),
      'case',
    );
    return found;
  }

  /** The child's photo; the view is audited, a case without a photo is not found. */
  async viewPhoto(
    officer: Officer,
    caseId: string,
  ): Promise<CaseOutcome<{ photo: { mimeType: string; data: Buffer } }>> {
    const found = await this.authorizedCase(officer, caseId);
    if (!found.ok) return found;
    const { photoId } = found.case.child;
    const photo = photoId ? await this.deps.photos.load(photoId) : null;
    if (!photo) return { ok: false, reason: 'not_found' };
    await this.deps.cases.recordView(
      found.case._id,
      officer.username,
      this.deps.clock.now(),
      'photo',
    );
    return { ok: true, photo };
  }

  /**
   * A voice note of the case (an answer, or a message the family sent); the
   * listening is audited. An audio the case does not name is not found, so
   * an officer can reach only the voice notes of cases they may read.
   */
  async listenToAudio(
    officer: Officer,
    caseId: string,
    audioId: string,
  ): Promise<CaseOutcome<{ audio: { mimeType: string; data: Buffer } }>> {
    const found = await this.authorizedCase(officer, caseId);
    if (!found.ok) return found;
    const named =
      (found.case.voiceNotes ?? []).some((note) => note.audioId === audioId) ||
      found.case.messages.some((message) => message.audio?.audioId === audioId);
    const audio = named ? await this.deps.audio.load(audioId) : null;
    if (!audio) return { ok: false, reason: 'not_found' };
    await this.deps.cases.recordView(
      found.case._id,
      officer.username,
      this.deps.clock.now(),
      'audio',
    );
    return { ok: true, audio };
  }

  /** Takes a pending case; of two officers at once, one gets it and the other a conflict. */
  async claimCase(officer: Officer, caseId: string): Promise<CaseOutcome<{ case: StoredCase }>> {
    const result = await this.transition(officer, caseId, 'claim', {
      assignedTo: officer.username,
    });
    if (result.ok) await this.tellFamily(result.case, 'claimed');
    return result;
  }

  /** Puts a case under review back in the queue. */
  async releaseCase(officer: Officer, caseId: string): Promise<CaseOutcome<{ case: StoredCase }>> {
    return this.transition(officer, caseId, 'release', { assignedTo: null });
  }

  /** Gives a case to another officer of its region; supervisors only. */
  async reassignCase(
    officer: Officer,
    caseId: string,
    username: string,
  ): Promise<CaseOutcome<{ case: StoredCase }>> {
    const found = await this.supervisedCase(officer, caseId, 'reassign');
    if (!found.ok) return found;
    const target = await this.deps.officers.find(username);
    if (!target || !canAccessRegion(target, found.case.region))
      return { ok: false, reason: 'unknown_officer' };
    return this.update(officer, found.case, { assignedTo: target.username }, 'case.reassigned');
  }

  /** Records the official report number the case was given at the station. */
  async setReportNumber(
    officer: Officer,
    caseId: string,
    officialReportNumber: string,
  ): Promise<CaseOutcome<{ case: StoredCase }>> {
    const found = await this.authorizedCase(officer, caseId);
    if (!found.ok) return found;
    return this.update(officer, found.case, { officialReportNumber }, 'case.completed');
  }

  /**
   * Confirms a case under review, only with every box of the activation
   * checklist ticked: the rule holds here, whoever calls (the console's form
   * checks it too, to say which box is missing).
   */
  async confirmCase(
    officer: Officer,
    caseId: string,
    checklist: Record<string, boolean>,
  ): Promise<CaseOutcome<{ case: StoredCase }>> {
    const ticked = confirmationChecklistSchema.safeParse(checklist);
    if (!ticked.success) return { ok: false, reason: 'incomplete_checklist' };
    const result = await this.transition(officer, caseId, 'confirm', {
      confirmation: { checklist: ticked.data, by: officer.username, at: this.deps.clock.now() },
    });
    if (result.ok) await this.tellFamily(result.case, 'confirmed');
    return result;
  }

  /** Rejects a pending case or one under review; the family is told why. */
  async rejectCase(
    officer: Officer,
    caseId: string,
    reason: RejectReason,
  ): Promise<CaseOutcome<{ case: StoredCase }>> {
    const result = await this.transition(officer, caseId, 'reject', {
      closure: { reason, by: officer.username, at: this.deps.clock.now() },
    });
    if (result.ok) await this.tellFamily(result.case, 'rejected', {}, `common:reasons.${reason}`);
    return result;
  }

  /** Closes a case because the child is found: its open alert ends, then the family is told. */
  async resolveCase(
    officer: Officer,
    caseId: string,
    reason: ResolveReason,
  ): Promise<CaseOutcome<{ case: StoredCase }>> {
    const result = await this.transition(officer, caseId, 'resolve', {
      closure: { reason, by: officer.username, at: this.deps.clock.now() },
    });
    if (result.ok) {
      await this.deps.endAlertOfCase?.(result.case._id, officer.username);
      await this.tellFamily(result.case, 'resolved', {}, `common:reasons.${reason}`);
    }
    return result;
  }

  /**
   * Writes to the family through the bot once the case is taken. Stored
   * first, then sent: a failed delivery is reported (`delivered: false`),
   * never retried into a duplicate.
   */
  async messageFamily(
    officer: Officer,
    caseId: string,
    text: string,
  ): Promise<CaseOutcome<{ message: OfficerMessage; delivered: boolean }>> {
    const found = await this.authorizedCase(officer, caseId);
    if (!found.ok) return found;
    if (!FAMILY_TALKS_TO_OFFICER.includes(found.case.status))
      return { ok: false, reason: 'conflict' };
    const message: OfficerMessage = {
      id: randomUUID(),
      from: 'officer',
      text,
      at: this.deps.clock.now(),
      officer: officer.username,
    };
    await this.deps.cases.addMessage(found.case._id, message);
    const delivered = await this.tellFamily(found.case, 'message', { text });
    this.deps.events.publish({
      type: 'message',
      caseId: found.case._id,
      region: found.case.region,
    });
    return { ok: true, message, delivered };
  }

  /** An internal note on the case, never shown to the family. */
  async addNote(
    officer: Officer,
    caseId: string,
    text: string,
  ): Promise<CaseOutcome<{ note: CaseNote }>> {
    const found = await this.authorizedCase(officer, caseId);
    if (!found.ok) return found;
    const note: CaseNote = {
      id: randomUUID(),
      text,
      at: this.deps.clock.now(),
      officer: officer.username,
    };
    await this.deps.cases.addNote(found.case._id, note);
    this.publishUpdate(found.case);
    return { ok: true, note };
  }

  /** The case's audit trail; supervisors only. */
  async caseAudit(
    officer: Officer,
    caseId: string,
  ): Promise<CaseOutcome<{ entries: AuditEntry[] }>> {
    const found = await this.supervisedCase(officer, caseId, 'audit read');
    if (!found.ok) return found;
    return { ok: true, entries: await this.deps.audit.forCase(found.case._id) };
  }

  /** The case, if this officer may see it; otherwise the same answer as a case that does not exist. */
  private async authorizedCase(officer: Officer, caseId: string): Promise<Found> {
    const found = await this.deps.cases.get(caseId);
    if (!found || !canAccessRegion(officer, found.region)) {
      this.deps.logger.warn(
        { officer: officer.username, caseId, found: Boolean(found) },
        'case access refused',
      );
      return { ok: false, reason: 'not_found' };
    }
    return { ok: true, case: found };
  }

  /** The case, if this officer may see it and is a supervisor; `action` names the refusal in the log. */
  private async supervisedCase(officer: Officer, caseId: string, action: string): Promise<Found> {
    const found = await this.authorizedCase(officer, caseId);
    if (!found.ok || isSupervisor(officer)) return found;
    this.deps.logger.warn(
      { officer: officer.username, caseId: found.case._id },
      `${action} refused: role`,
    );
    return { ok: false, reason: 'not_found' };
  }

  private async transition(
    officer: Officer,
    caseId: string,
    name: TransitionName,
    set: Record<string, unknown>,
  ): Promise<TransitionResult> {
    const found = await this.authorizedCase(officer, caseId);
    if (!found.ok) return found;
    const result = await this.deps.cases.transition(
      found.case._id,
      name,
      officer.username,
      this.deps.clock.now(),
      set,
    );
    if (result.ok) this.publishUpdate(result.case);
    return result;
  }

  private async update(
    officer: Officer,
    found: StoredCase,
    set: Record<string, unknown>,
    action: string,
  ): Promise<CaseOutcome<{ case: StoredCase }>> {
    const updated = await this.deps.cases.update(found._id, set, {
      by: officer.username,
      action,
      now: this.deps.clock.now(),
    });
    // Removed between the read and the write (a purge): as if it had never been there.
    if (!updated) return { ok: false, reason: 'not_found' };
    this.publishUpdate(found);
    return { ok: true, case: updated };
  }

  private publishUpdate(c: StoredCase): void {
    this.deps.events.publish({ type: 'updated', caseId: c._id, region: c.region });
  }

  /** Tells the family in their language; whether it reached them, never an error. */
  private async tellFamily(
    c: StoredCase,
    name: string,
    params: Record<string, string> = {},
    reasonKey?: string,
  ): Promise<boolean> {
    const values = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, raw(v)]));
    try {
      await this.deps.notifier.send(
        { channel: c.channel, address: c.reporter.address, language: c.language },
        key(`common:officer.${name}`, {
          reference: raw(c.reference),
          ...values,
          ...(reasonKey ? { reason: key(reasonKey) } : {}),
        }),
      );
      return true;
    } catch (error) {
      // The action stands (it is stored); the officer is told the family was not reached.
      this.deps.logger.error(
        { ...channelErrorSummary(error), caseId: c._id },
        'family notification failed',
      );
      return false;
    }
  }
}
