import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

/** The alert settings are read from the environment and refused, by name, when wrong. */
describe('alert settings', () => {
  it('defaults to 20 km at once, 80 km after 2 h, 160 km after 6 h, a 6 h window and 20 messages/s', () => {
    const loaded = loadConfig({});
    if (!loaded.ok) throw new Error(loaded.problems.join('; '));
    expect(loaded.config.alerts).toMatchObject({
      stages: [
        { afterMinutes: 0, radiusKm: 20 },
        { afterMinutes: 120, radiusKm: 80 },
        { afterMinutes: 360, radiusKm: 160 },
      ],
      windowHours: 6,
      maxHours: 48,
    });
    expect(loaded.config.alertSendRate).toBe(20);
  });

  it('reads stages written as minutes:km', () => {
    const loaded = loadConfig({ ALERT_STAGES: '0:10,30:50' });
    expect(loaded.ok && loaded.config.alerts.stages).toEqual([
      { afterMinutes: 0, radiusKm: 10 },
      { afterMinutes: 30, radiusKm: 50 },
    ]);
  });

  it.each([
    [{ ALERT_STAGES: '20km' }, 'ALERT_STAGES'],
    [{ ALERT_STAGES: '0:80,60:20' }, 'ALERT_STAGES'],
    [{ ALERT_STAGES: '30:20' }, 'ALERT_STAGES'],
    [{ ALERT_WINDOW_HOURS: '30', ALERT_MAX_HOURS: '24' }, 'ALERT_WINDOW_HOURS'],
    [{ ALERT_SEND_RATE: '0' }, 'ALERT_SEND_RATE'],
    [{ PUBLIC_BASE_URL: 'not a url' }, 'PUBLIC_BASE_URL'],
    [{ CAP_SENDER: 'tifli police' }, 'CAP_SENDER'],
  ])('refuses %o and names %s', (env, variable) => {
    const loaded = loadConfig(env);
    expect(loaded.ok).toBe(false);
    expect(loaded.ok ? '' : loaded.problems.join('\n')).toContain(variable);
  });
});

/** Which storage adapters the service is built with follows where its database is. */
describe('database adapters', () => {
  const adapters = (env: Record<string, string>) => {
    const loaded = loadConfig(env);
    if (!loaded.ok) throw new Error(loaded.problems.join('; '));
    return loaded.config.databaseAdapters;
  };

  it('are the embedded ones on the embedded FerretDB, the MongoDB ones when MONGODB_URI is set', () => {
    expect(adapters({})).toBe('embedded');
    expect(adapters({ MONGODB_URI: 'mongodb://127.0.0.1:27017/tifli?replicaSet=rs0' })).toBe(
      'mongo',
    );
  });

  it('follow DATABASE_ADAPTERS when it is set, and a wrong value is refused by name', () => {
    expect(
      adapters({ MONGODB_URI: 'mongodb://127.0.0.1:27018/', DATABASE_ADAPTERS: 'embedded' }),
    ).toBe('embedded');
    const loaded = loadConfig({ DATABASE_ADAPTERS: 'postgres' });
    expect(loaded.ok ? '' : loaded.problems.join('\n')).toContain('DATABASE_ADAPTERS');
  });
});
