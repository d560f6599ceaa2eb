import { randomUUID } from 'node:crypto';
import { beforeEach, expect, it } from 'vitest';
import { MemoryAlertStore } from '../../src/adapters/memory/memoryAlertStore.js';
import { MongoAlertStore } from '../../src/adapters/mongo/mongoAlertStore.js';
import type { AlertStore } from '../../src/app/ports/alertStore.js';
import type { Alert } from '../../src/core/alert/alert.js';
import { capRecord } from '../../src/core/alert/alertLifecycle.js';
import { type Backend, describeContract } from './backends.js';

async function storeFor(backend: Backend): Promise<AlertStore> {
  switch (backend.kind) {
    case 'memory':
      return new MemoryAlertStore();
    // Alerts are few: FerretDB runs the MongoDB store.
    case 'embedded':
    case 'mongo': {
      const store = new MongoAlertStore(backend.connection);
      await store.init();
      return store;
    }
    default: {
      const unreachable: never = backend;
      throw new Error(`unknown backend ${String(unreachable)}`);
    }
  }
}

const NOW = new Date('2026-11-28T16:00:00Z');
const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);

/** A proposed alert about an invented child. */
function proposedAlert(caseId: string, proposedAt = NOW): Alert {
  return {
    _id: randomUUID(),
    caseId,
    caseReference: 'TF-2026-000042',
    region: 'casablanca-settat',
    state: 'proposed',
    endReason: null,
    centre: { lat: 33.5731, lon: -7.5898 },
    stages: [
      { afterMinutes: 0, radiusKm: 20 },
      { afterMinutes: 120, radiusKm: 80 },
    ],
    windowHours: 6,
    abductionSuspected: false,
    content: {
      firstName: 'Yassine',
      age: { years: 7 },
      sex: 'boy',
      heightCm: 120,
      build: null,
      hair: 'brun',
      marks: null,
      clothing: 'un pull rouge',
      lastSeen: {
        at: '2026-11-28T15:00:00.000Z',
        place: 'Parc de la Ligue arabe',
        city: 'Casablanca',
      },
      hasPhoto: false,
    },
    photoId: null,
    texts: { ar: 'نص التنبيه', fr: "Texte de l'alerte", ary: 'نص ديال التنبيه' },
    proposedBy: 'a.benali',
    proposedAt,
    approvedBy: null,
    approvedAt: null,
    expiresAt: null,
    endedBy: null,
    endedAt: null,
    stagesQueued: 0,
    closingQueued: false,
    cap: [],
  };
}

describeContract('AlertStore', (backend) => {
  let store: AlertStore;
  let caseId: string;
  beforeEach(async () => {
    store = await storeFor(backend());
    caseId = `case-${randomUUID()}`;
  });

  const approve = (alert: Alert) =>
    store.apply(alert._id, {
      transition: 'approve',
      set: { approvedBy: 's.alaoui', approvedAt: NOW, expiresAt: at(360) },
      cap: capRecord(alert, 'Alert', NOW, 0),
    });

  it('stores an alert and reads it back, by id and by case (newest first)', async () => {
    const older = proposedAlert(caseId, at(-60));
    const newer = proposedAlert(caseId);
    await store.insert(older);
    await store.insert(newer);
    expect(await store.get(newer._id)).toEqual(newer);
    expect(await store.get('no-such-alert')).toBeNull();
    expect((await store.forCase(caseId)).map((a) => a._id)).toEqual([newer._id, older._id]);
    expect((await store.open()).map((a) => a._id)).toEqual(
      expect.arrayContaining([newer._id, older._id]),
    );
  });

  it('applies a transition only from the states it leaves', async () => {
    const alert = proposedAlert(caseId);
    await store.insert(alert);
    expect(
      await store.apply(alert._id, { transition: 'extend', set: { windowHours: 12 } }),
    ).toBeNull();
    const approved = await approve(alert);
    expect(approved).toMatchObject({ state: 'active', approvedBy: 's.alaoui' });
    expect(approved?.cap.map((c) => c.identifier)).toEqual([`tifli-${alert._id}-alert`]);
    // A second approval read the alert before the first: its guard is stale.
    expect(await approve(alert)).toBeNull();
    expect((await store.get(alert._id))?.cap).toHaveLength(1);
  });

  it('returns null for a stale stage count or expiry, so one of two instances wins', async () => {
    const alert = proposedAlert(caseId);
    await store.insert(alert);
    await approve(alert);
    const widen = () =>
      store.apply(alert._id, { transition: 'widen', stagesQueued: 0, set: { stagesQueued: 1 } });
    const [first, second] = await Promise.all([widen(), widen()]);
    expect([first, second].filter((a) => a !== null)).toHaveLength(1);
    expect((await store.get(alert._id))?.stagesQueued).toBe(1);

    const extended = await store.apply(alert._id, {
      transition: 'extend',
      set: { windowHours: 12, expiresAt: at(720) },
    });
    expect(extended?.expiresAt).toEqual(at(720));
    // An expiry decided on the old end loses to the extension.
    const expired = await store.apply(alert._id, {
      transition: 'expire',
      expiresAt: at(360),
      set: { endReason: 'expired', endedBy: 'system', endedAt: at(360) },
    });
    expect(expired).toBeNull();
    expect((await store.get(alert._id))?.state).toBe('active');
  });

  it('ends an alert once, from the state the write finds', async () => {
    const alert = proposedAlert(caseId);
    await store.insert(alert);
    const end = { endReason: 'cancelled' as const, endedBy: 'a.benali', endedAt: at(5) };
    // Ending "as active" finds a proposal: nothing changes.
    expect(
      await store.apply(alert._id, { transition: 'cancel', from: 'active', set: end }),
    ).toBeNull();
    const ended = await store.apply(alert._id, {
      transition: 'cancel',
      from: 'proposed',
      set: end,
    });
    expect(ended).toMatchObject({ state: 'ended', endReason: 'cancelled', endedAt: at(5) });
    expect(await store.apply(alert._id, { transition: 'cancel', set: end })).toBeNull();
    expect((await store.open()).map((a) => a._id)).not.toContain(alert._id);
  });

  it('lists the alerts ended since a time', async () => {
    const recent = proposedAlert(caseId);
    const old = proposedAlert(`${caseId}-b`);
    await store.insert(recent);
    await store.insert(old);
    for (const [alert, endedAt] of [
      [recent, at(60)],
      [old, at(-5_000)],
    ] as const) {
      await store.apply(alert._id, {
        transition: 'cancel',
        set: { endReason: 'cancelled', endedBy: 'a.benali', endedAt },
      });
    }
    const ids = (await store.endedSince(at(0))).map((a) => a._id);
    expect(ids).toContain(recent._id);
    expect(ids).not.toContain(old._id);
  });

  it('lets one of two proposals at once claim the case, and frees it once released', async () => {
    const [a, b] = [proposedAlert(caseId), proposedAlert(caseId)];
    await store.insert(a);
    await store.insert(b);
    const claims = await Promise.all([
      store.claimOpen(caseId, a._id, at(0)),
      store.claimOpen(caseId, b._id, at(0)),
    ]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    const [winner, loser] = claims[0] ? [a, b] : [b, a];
    expect(await store.claimOpen(caseId, loser._id, at(0))).toBe(false);
    // Only the holder's release frees the case.
    await store.releaseOpen(caseId, loser._id);
    expect(await store.claimOpen(caseId, loser._id, at(0))).toBe(false);
    await store.releaseOpen(caseId, winner._id);
    expect(await store.claimOpen(caseId, loser._id, at(0))).toBe(true);
  });

  it('keeps the case for a proposal between its claim and its insert', async () => {
    // The first proposal has claimed the case but not stored its alert yet.
    expect(await store.claimOpen(caseId, randomUUID(), at(0))).toBe(true);
    const second = proposedAlert(caseId);
    await store.insert(second);
    expect(await store.claimOpen(caseId, second._id, at(0))).toBe(false);
    expect(await store.claimOpen(caseId, second._id, new Date(at(0).getTime() + 30_000))).toBe(
      false,
    );
  });

  it('replaces a marker whose alert is over, or was never stored a minute after its claim (a crash between two writes)', async () => {
    expect(await store.claimOpen(caseId, randomUUID(), at(0))).toBe(true);
    const alert = proposedAlert(caseId);
    await store.insert(alert);
    const later = new Date(at(0).getTime() + 2 * 60_000);
    expect(await store.claimOpen(caseId, alert._id, later)).toBe(true);
    await store.apply(alert._id, {
      transition: 'cancel',
      set: { endReason: 'cancelled', endedBy: 'a.benali', endedAt: at(1) },
    });
    expect(await store.claimOpen(caseId, randomUUID(), later)).toBe(true);
  });

  it('names the outboxes due for the purge once, after their closings were queued', async () => {
    const alert = proposedAlert(caseId);
    await store.insert(alert);
    await approve(alert);
    await store.apply(alert._id, {
      transition: 'resolved',
      set: { endReason: 'resolved', endedBy: 'a.benali', endedAt: at(10) },
    });
    expect(await store.outboxesDue(at(60))).not.toContain(alert._id);
    await store.markClosingQueued(alert._id);
    expect((await store.get(alert._id))?.closingQueued).toBe(true);
    expect(await store.outboxesDue(at(5))).not.toContain(alert._id);
    expect(await store.outboxesDue(at(60))).toContain(alert._id);
    await store.markOutboxPurged(alert._id, at(60));
    expect(await store.outboxesDue(at(60))).not.toContain(alert._id);
    expect(await store.get(alert._id)).toMatchObject({ state: 'ended', closingQueued: true });
  });
});

describeContract(
  'AlertStore reading stored documents',
  (backend) => {
    it('refuses to act on a stored alert that does not parse', async () => {
      const current = backend();
      if (current.kind === 'memory') throw new Error('database backends only');
      const store = await storeFor(current);
      await current.connection
        .collection<{ _id: string; state: string }>('alerts')
        .insertOne({ _id: 'broken-alert', state: 'active' });
      await expect(store.get('broken-alert')).rejects.toMatchObject({ code: 'internal' });
      await expect(store.open()).rejects.toMatchObject({ code: 'internal' });
    });
  },
  ['embedded', 'mongo'],
);
