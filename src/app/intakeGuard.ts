import { createHash } from 'node:crypto';
import { OPEN_STATUSES } from '../core/case/caseLifecycle.js';
import {
  admitMessage,
  type CaseFlag,
  flaggedPriority,
  INTAKE_LIMITS,
  type MessageAdmission,
  reportFlags,
} from '../core/case/intakeLimits.js';
import type { Logger } from '../logger.js';
import type { CaseStore } from './ports/caseStore.js';
import type { IntakeLimiter } from './ports/intakeLimiter.js';

/**
 * The counters' pseudonym of a number: a hash, so the flood counters never
 * hold a phone number (logs use the logger's own keyed hash).
 */
export function intakeSender(channel: string, address: string): string {
  return createHash('sha256').update(`${channel}:${address}`).digest('base64url').slice(0, 22);
}

/**
 * Flood control per number. A message over the minute's limit is not handled
 * (the first one gets one polite "wait a moment", the others nothing) and the
 * number is remembered as flooding for a day. Reports are never refused: a
 * report over the day's limit, or from a number that flooded, is stored with
 * the `flood` flag, and so are the number's earlier reports of the day, so
 * officers see them for what they may be without losing a real one.
 */
export class IntakeGuard {
  constructor(
    private readonly deps: {
      limiter: IntakeLimiter;
      cases?: Pick<CaseStore, 'get' | 'update'>;
      logger: Logger;
      hashId: (id: string) => string;
    },
  ) {}

  /** Counts one inbound message and says whether the turn runs. */
  async admit(channel: string, address: string, now: Date): Promise<MessageAdmission> {
    const sender = intakeSender(channel, address);
    const admission = admitMessage(await this.deps.limiter.countMessage(sender, now));
    if (admission.kind === 'slow_down') {
      await this.deps.limiter.markFlooding(
        sender,
        new Date(now.getTime() + INTAKE_LIMITS.floodMemoryMs),
      );
      this.deps.logger.warn(
        { conversation: this.deps.hashId(`${channel}:${address}`) },
        'number slowed down: too many messages in a minute',
      );
    }
    return admission;
  }

  /** Counts a report about to be stored and returns its flags. */
  async flagsForReport(
    channel: string,
    address: string,
    draftId: string,
    now: Date,
  ): Promise<{ flags: CaseFlag[]; earlier: string[] }> {
    const counted = await this.deps.limiter.countReport(
      intakeSender(channel, address),
      draftId,
      now,
    );
    const flags = reportFlags(counted);
    if (flags.length > 0) {
      this.deps.logger.warn(
        {
          conversation: this.deps.hashId(`${channel}:${address}`),
          reportsInDay: counted.reportsInDay,
          flooding: counted.flooding,
        },
        'report flagged: the number floods',
      );
    }
    return { flags, earlier: flags.length > 0 ? counted.drafts.filter((d) => d !== draftId) : [] };
  }

  /** Flags the number's earlier reports of the day too (once each; closed ones are left alone). */
  async flagEarlier(
    drafts: readonly string[],
    flags: readonly CaseFlag[],
    now: Date,
  ): Promise<void> {
    const cases = this.deps.cases;
    if (!cases) return;
    for (const draftId of drafts) {
      const stored = await cases.get(draftId);
      if (!stored || !OPEN_STATUSES.some((open) => open === stored.status)) continue;
      const known = stored.flags ?? [];
      if (flags.every((flag) => known.includes(flag))) continue;
      const merged = [...new Set([...known, ...flags])];
      await cases.update(
        draftId,
        { flags: merged, priority: flaggedPriority(stored.priority, merged) },
        { by: 'system', action: 'case.flagged', now },
      );
    }
  }
}
