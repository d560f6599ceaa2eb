import { defineConfig } from 'vitest/config';

/** Tests that need neither a database nor a browser: the pure core, parsers, renderers. */
const UNIT = [
  'test/unit/**/*.test.ts',
  'test/transcripts/**/*.test.ts',
  'test/architecture/**/*.test.ts',
  'test/i18n/**/*.test.ts',
  'test/domain/**/*.test.ts',
  'test/conversation/flows.test.ts',
  'test/alerts/{cap,atomFeed,composeAlert}.test.ts',
  'test/channels/whatsappAdapter.test.ts',
];

/** Tests that drive a real browser or real service processes. */
const E2E = [
  'test/e2e/**/*.test.ts',
  'test/alerts/poster.test.ts',
  'test/alerts/broadcastCrash.test.ts',
  'test/bot/restartAndInstances.test.ts',
  'test/faults/databaseOutage.fault.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores here: more workers only contend for the database servers.
    maxWorkers: 2,
    reporters: ['default'],
    projects: [
      // `vitest run --project unit`: no database is started, so a test that
      // reached for one would fail instead of quietly using it.
      { extends: true, test: { name: 'unit', include: UNIT } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: [...UNIT, ...E2E],
          globalSetup: ['test/support/globalSetup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: E2E,
          globalSetup: ['test/support/globalSetup.ts'],
          // Each file starts real service processes or a browser: one at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});
