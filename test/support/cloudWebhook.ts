import type { Activity } from 'botbuilder-core';
import {
  FakeMetaWebhook,
  metaJson,
  metaSignature,
} from '../../src/adapters/channels/cloud/fake/fakeMetaWebhook.js';
import type {
  StatusRecorder,
  StatusUpdate,
} from '../../src/adapters/channels/cloud/inboundProcessor.js';
import type { InboundSink } from '../../src/adapters/channels/cloud/inboundSink.js';
import type { App } from '../../src/compose.js';
import type { FakeMediaServer } from './fakeMediaServer.js';
import { createTestApp, type TestApp } from './testApp.js';

/** The test app's Cloud API settings (invented secrets). */
export const CLOUD = {
  appSecret: 'app-secret-of-the-tifli-test-app',
  verifyToken: 'verify-token-of-the-tifli-tests',
  accessToken: 'EAAG-invented-system-user-token',
  phoneNumberId: '106540352242922',
  graphVersion: 'v25.0',
} as const;

/**
 * The bot's side of the webhook in tests: records every activity handed to
 * it; `failures` makes the next calls fail, `during` runs inside each call
 * (to look at the journal while a message is processed).
 */
export class RecordingSink implements InboundSink {
  readonly activities: Array<Partial<Activity>> = [];
  failures = 0;
  calls = 0;
  during: ((activity: Partial<Activity>) => Promise<void>) | null = null;

  async processActivity(activity: Partial<Activity>): Promise<void> {
    this.calls += 1;
    if (this.during) await this.during(activity);
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('the bot failed on purpose');
    }
    this.activities.push(activity);
  }

  byId(id: string): Partial<Activity> | undefined {
    return this.activities.find((activity) => activity.id === id);
  }
}

/** The outbox's status side in tests: records every update. */
export class RecordingOutbox implements StatusRecorder {
  readonly updates: StatusUpdate[] = [];

  async recordStatus(update: StatusUpdate): Promise<'recorded'> {
    this.updates.push(update);
    return 'recorded';
  }
}

/** The real app with the Cloud webhook, its media on the fake media server. */
export async function createCloudTestApp(options: {
  media: FakeMediaServer;
  sink?: RecordingSink;
  outbox?: RecordingOutbox;
  dbName?: string;
  now?: Date;
}): Promise<TestApp & { sink: RecordingSink; statuses: RecordingOutbox }> {
  const sink = options.sink ?? new RecordingSink();
  const statuses = options.outbox ?? new RecordingOutbox();
  const harness = await createTestApp({
    ...(options.dbName ? { dbName: options.dbName } : {}),
    ...(options.now ? { now: options.now } : {}),
    whatsappCloud: {
      appSecret: CLOUD.appSecret,
      verifyToken: CLOUD.verifyToken,
      accessToken: CLOUD.accessToken,
      graphUrl: options.media.url,
      graphVersion: CLOUD.graphVersion,
      sink,
      outbox: statuses,
      processing: { firstRetryMs: 20, maxRetryMs: 200 },
    },
  });
  return { ...harness, sink, statuses };
}

/** Meta's webhook sender pointed at nothing: for building notifications posted with `inject`. */
export function fakeMeta(url = 'http://127.0.0.1:1/webhooks/whatsapp'): FakeMetaWebhook {
  return new FakeMetaWebhook({
    url,
    appSecret: CLOUD.appSecret,
    phoneNumberId: CLOUD.phoneNumberId,
  });
}

/** Posts bytes to the webhook through the real HTTP stack, signed Meta's way unless told otherwise. */
export function postWebhook(app: App, body: string | Buffer, signature?: string | null) {
  const signed = signature === undefined ? metaSignature(body, CLOUD.appSecret) : signature;
  return app.http.inject({
    method: 'POST',
    url: '/webhooks/whatsapp',
    headers: {
      'content-type': 'application/json',
      ...(signed === null ? {} : { 'x-hub-signature-256': signed }),
    },
    payload: body,
  });
}

/** Posts a notification written as Meta writes it. */
export function postNotification(app: App, notification: unknown) {
  return postWebhook(app, metaJson(notification));
}

/** Waits for the processor to finish what it was handed. */
export async function processed(app: App): Promise<void> {
  if (!app.cloudWebhook) throw new Error('the app has no Cloud webhook');
  // The processor is handed the batch right after the answer.
  await new Promise((resolve) => setImmediate(resolve));
  await app.cloudWebhook.idle();
}
