import type { AlertChoice, AlertDirectory } from '../../src/app/ports/alertDirectory.js';
import type { SightingStore } from '../../src/app/ports/sightings.js';
import type { SubscriptionStore } from '../../src/app/ports/subscriptions.js';
import type { Sighting } from '../../src/core/sighting.js';
import type { Subscription } from '../../src/core/subscription.js';

/** The active alerts a transcript declares (`@alert` lines), the same for every number. */
export class ScriptedAlerts implements AlertDirectory {
  readonly active: AlertChoice[] = [];

  async activeFor(): Promise<AlertChoice[]> {
    // Those this number received come first, as the real directory orders them.
    return [...this.active].sort((a, b) => Number(b.received) - Number(a.received));
  }
}

const HOUR_MS = 3_600_000;
const FLAG_AFTER_PER_HOUR = 3;
const THROTTLE_AFTER_PER_HOUR = 6;

/** Sightings in memory, linked to the case of the alert the transcript declared. */
export class TranscriptSightings implements SightingStore {
  readonly stored: Sighting[] = [];

  constructor(private readonly alerts: ScriptedAlerts) {}

  async add(sighting: Omit<Sighting, 'flagged' | 'distanceKm' | 'caseId'>): Promise<{
    created: boolean;
    sighting: Sighting;
    throttled: boolean;
    region: string | null;
  }> {
    const caseId = this.alerts.active.find((a) => a.alertId === sighting.alertId)?.caseId ?? '';
    const existing = this.stored.find((s) => s._id === sighting._id);
    if (existing) return { created: false, sighting: existing, throttled: false, region: null };
    const recent = await this.countSince(
      sighting.channel,
      sighting.address,
      new Date(sighting.createdAt.getTime() - HOUR_MS),
    );
    const stored: Sighting = {
      ...sighting,
      caseId,
      distanceKm: null,
      flagged: recent >= FLAG_AFTER_PER_HOUR,
    };
    if (recent >= THROTTLE_AFTER_PER_HOUR) {
      return { created: false, sighting: stored, throttled: true, region: null };
    }
    this.stored.push(stored);
    return { created: true, sighting: stored, throttled: false, region: null };
  }

  async countSince(channel: string, address: string, since: Date): Promise<number> {
    return this.stored.filter(
      (s) => s.channel === channel && s.address === address && s.createdAt >= since,
    ).length;
  }
}

/** Subscriptions in memory: one per number, the newest wins; STOP ends it. */
export class TranscriptSubscriptions implements SubscriptionStore {
  private readonly byNumber = new Map<string, Subscription>();

  async subscribe(subscription: Parameters<SubscriptionStore['subscribe']>[0]): Promise<void> {
    const { channel, address, language, area, now } = subscription;
    this.byNumber.set(`${channel}:${address}`, {
      _id: `${channel}:${address}`,
      channel,
      address,
      language,
      area,
      status: 'active',
      consentAt: now,
      createdAt: now,
      updatedAt: now,
      stoppedAt: null,
    });
  }

  async unsubscribe(
    channel: string,
    address: string,
    now: Date,
  ): Promise<{ wasSubscribed: boolean }> {
    const found = this.byNumber.get(`${channel}:${address}`);
    if (found?.status !== 'active') return { wasSubscribed: false };
    this.byNumber.set(found._id, {
      ...found,
      area: null,
      status: 'stopped',
      stoppedAt: now,
      updatedAt: now,
    });
    return { wasSubscribed: true };
  }

  async find(channel: string, address: string): Promise<Subscription | null> {
    return this.byNumber.get(`${channel}:${address}`) ?? null;
  }
}
