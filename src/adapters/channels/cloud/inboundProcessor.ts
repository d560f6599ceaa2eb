import type { Clock } from '../../../app/ports/clock.js';
import type { InboundJournal, JournalEntry } from '../../../app/ports/inboundJournal.js';
import { channelErrorSummary } from '../../../core/errors.js';
import type { Logger } from '../../../logger.js';
import type { InboundSink } from './inboundSink.js';
import { type MediaSource, toActivity } from './toActivity.js';
import {
  type CloudStatus,
  storedMessageSchema,
  storedStatusSchema,
  timeOf,
} from './webhookEnvelope.js';

/** One status of a message we sent, as the outbox records it. */
export interface StatusUpdate {
  channelMessageId: string;
  status: 'delivered' | 'read' | 'failed';
  at: Date;
  errorCode?: string;
}

/**
 * The outbox's side that records statuses (monotonic: an older or repeated
 * status is `unchanged`, a message no entry has is `unknown`).
 */
export interface StatusRecorder {
  recordStatus(update: StatusUpdate): Promise<'recorded' | 'unchanged' | 'unknown'>;
}

/** A status as the sending side reads it: every kind, `sent` included, with its callback data. */
export interface ObservedStatus {
  channelMessageId: string;
  status: 'sent' | 'delivered' | 'read' | 'played' | 'failed';
  /** `errors[0].code` of a failure. */
  errorCode?: string;
  /** Graph's `biz_opaque_callback_data`: the idempotency key the message was sent under. */
  callbackData?: string;
  /** Who the message went to (a wa_id or a business-scoped user id). */
  recipient?: string;
}

/**
 * Told of every status after the outbox recorded it: the Cloud adapter
 * resends a template on 131047 and settles sends whose answer was lost.
 */
export type StatusListener = (status: ObservedStatus) => Promise<void>;

const OBSERVED_STATUSES = new Set(['sent', 'delivered', 'read', 'played', 'failed']);
function isObservedKind(status: string): status is ObservedStatus['status'] {
  return OBSERVED_STATUSES.has(status);
}

export interface InboundProcessorOptions {
  journal: InboundJournal;
  media: MediaSource;
  outbox: StatusRecorder;
  logger: Logger;
  hashId: (id: string) => string;
  clock: Clock;
  /** How many chats are processed at once (messages of one chat are always one at a time). */
  concurrency?: number;
  /** The first delay before a failed message is tried again, doubled each time up to `maxRetryMs`. */
  firstRetryMs?: number;
  maxRetryMs?: number;
}

/** The entries of one chat still to process, oldest first, and how its last attempt went. */
interface Chat {
  entries: JournalEntry[];
  failures: number;
  retry: NodeJS.Timeout | null;
}

/** How many stored, unprocessed entries a resume takes at once. */
const RESUME_BATCH = 10_000;

/**
 * How long a status naming an outbox message (by its idempotency key) waits
 * for the outbox to know the message: longer than a send with a lost answer
 * waits for a status before it is tried again (10 minutes by default), so a
 * message settled only on that retry is still counted.
 */
const OUTBOX_WAIT_MS = 30 * 60_000;

/** A status came before the outbox entry it belongs to was written: tried again later. */
class StatusAheadOfOutbox extends Error {
  override readonly name = 'StatusAheadOfOutbox';
  constructor() {
    super('the outbox does not name this message yet');
  }
}

/**
 * Processes what the webhook stored, after it answered Meta: one chat at a
 * time in arrival order (a family's messages are answered in the order they
 * were written), different chats in parallel up to `concurrency`. Each
 * message becomes an activity handed to the sink; each status goes to the
 * outbox. An entry is marked processed in the journal only after that
 * succeeded; a failure is logged (hashed ids, never text) and the chat tried
 * again later with back-off, its later messages waiting behind it. On
 * `attach`, entries a previous run stored but did not process are resumed.
 */
export class InboundProcessor {
  private sink: InboundSink | null = null;
  private readonly listeners: StatusListener[] = [];
  private readonly chats = new Map<string, Chat>();
  /** Ids queued or in flight, so an entry handed in twice runs once. */
  private readonly known = new Set<string>();
  /** Chats with work, waiting for a slot. */
  private readonly ready: string[] = [];
  private readonly running = new Set<Promise<void>>();
  private readonly idleWaiters: Array<() => void> = [];
  private stopped = false;
  private readonly concurrency: number;
  private readonly firstRetryMs: number;
  private readonly maxRetryMs: number;

  constructor(private readonly options: InboundProcessorOptions) {
    this.concurrency = options.concurrency ?? 8;
    this.firstRetryMs = options.firstRetryMs ?? 1_000;
    this.maxRetryMs = options.maxRetryMs ?? 5 * 60_000;
  }

  /** Where messages go; processing starts (and resumes what was left) once a sink is attached. */
  async attach(sink: InboundSink): Promise<void> {
    this.sink = sink;
    await this.resume();
  }

  /** Adds a listener told of every status. */
  onStatus(listener: StatusListener): void {
    this.listeners.push(listener);
  }

  /** Takes entries the journal just stored; ids already queued or in flight are skipped. */
  enqueue(entries: readonly JournalEntry[]): void {
    if (this.stopped) return;
    for (const entry of entries) {
      if (this.known.has(entry.id)) continue;
      this.known.add(entry.id);
      const chat = this.chats.get(entry.chat);
      if (chat) {
        chat.entries.push(entry);
        continue;
      }
      this.chats.set(entry.chat, { entries: [entry], failures: 0, retry: null });
      this.ready.push(entry.chat);
    }
    this.pump();
  }

  /** Queues what the journal holds unprocessed (after a restart or a crash). */
  async resume(): Promise<void> {
    this.enqueue(await this.options.journal.unprocessed(RESUME_BATCH));
  }

  /** Resolves once nothing is queued, in flight or waiting to be retried. */
  idle(): Promise<void> {
    if (this.chats.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops taking work and waits for what is in flight; what is left stays in the journal. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const chat of this.chats.values()) if (chat.retry) clearTimeout(chat.retry);
    await Promise.allSettled([...this.running]);
  }

  private pump(): void {
    if (this.stopped || this.sink === null) return;
    while (this.running.size < this.concurrency && this.ready.length > 0) {
      const key = this.ready.shift();
      if (key === undefined) break;
      const run = this.runChat(key, this.sink).finally(() => {
        this.running.delete(run);
        this.pump();
        this.notifyIdle();
      });
      this.running.add(run);
    }
  }

  /** Processes a chat's entries in order until it is empty, fails, or others wait for a slot. */
  private async runChat(key: string, sink: InboundSink): Promise<void> {
    const chat = this.chats.get(key);
    if (!chat) return;
    for (;;) {
      const entry = chat.entries[0];
      if (entry === undefined || this.stopped) break;
      try {
        await this.process(entry, sink);
        await this.options.journal.markProcessed([entry.id], this.options.clock.now());
      } catch (error) {
        this.retryLater(key, chat, entry, error);
        return;
      }
      chat.entries.shift();
      chat.failures = 0;
      this.known.delete(entry.id);
      // Fair to other chats: after each message, a waiting chat goes first.
      if (chat.entries.length > 0 && this.ready.length > 0) {
        this.ready.push(key);
        return;
      }
    }
    if (chat.entries.length === 0) this.chats.delete(key);
  }

  private retryLater(key: string, chat: Chat, entry: JournalEntry, error: unknown): void {
    chat.failures += 1;
    const delay = Math.min(this.maxRetryMs, this.firstRetryMs * 2 ** (chat.failures - 1));
    this.options.logger.warn(
      {
        entry: this.options.hashId(entry.id),
        chat: this.options.hashId(entry.chat),
        kind: entry.kind,
        attempt: chat.failures,
        retryInMs: delay,
        ...channelErrorSummary(error),
      },
      'inbound processing failed, will retry',
    );
    chat.retry = setTimeout(() => {
      chat.retry = null;
      this.ready.push(key);
      this.pump();
    }, delay);
  }

  private async process(entry: JournalEntry, sink: InboundSink): Promise<void> {
    switch (entry.kind) {
      case 'message':
        return this.processMessage(entry, sink);
      case 'status':
        return this.processStatus(entry);
      default: {
        const unreachable: never = entry.kind;
        throw new Error(`unknown journal entry kind ${String(unreachable)}`);
      }
    }
  }

  private async processMessage(entry: JournalEntry, sink: InboundSink): Promise<void> {
    const stored = storedMessageSchema.safeParse(parseJson(entry.payload));
    if (!stored.success) {
      // Written by this code: retrying cannot help, and the chat must not stay blocked.
      this.options.logger.error(
        { entry: this.options.hashId(entry.id) },
        'stored inbound message unreadable, skipped',
      );
      return;
    }
    const activity = await toActivity(stored.data, this.options.media, entry.receivedAt);
    if (activity === null) return;
    await sink.processActivity(activity);
  }

  private async processStatus(entry: JournalEntry): Promise<void> {
    const stored = storedStatusSchema.safeParse(parseJson(entry.payload));
    if (!stored.success) {
      this.options.logger.error(
        { entry: this.options.hashId(entry.id) },
        'stored status unreadable, skipped',
      );
      return;
    }
    const status = stored.data.status;
    const update = statusUpdate(status, entry.receivedAt);
    const recorded = update !== null ? await this.options.outbox.recordStatus(update) : null;
    if (isObservedKind(status.status)) await this.tellListeners(status);
    if (recorded === 'unknown' && status.biz_opaque_callback_data) {
      // An outbox message's status that overtook the broadcast's write naming it (Graph
      // answered, the status followed before the outbox was written): kept and tried again,
      // else the console would never count it. Listeners run again then; they are idempotent.
      const waited = this.options.clock.now().getTime() - entry.receivedAt.getTime();
      if (waited < OUTBOX_WAIT_MS) throw new StatusAheadOfOutbox();
      this.options.logger.warn(
        { message: this.options.hashId(status.id), status: status.status },
        'status of an outbox message no entry names, dropped',
      );
    }
  }

  private async tellListeners(status: CloudStatus): Promise<void> {
    if (!isObservedKind(status.status)) return;
    const recipient = status.recipient_id ?? status.recipient_user_id;
    const code = status.errors?.[0]?.code;
    const observed: ObservedStatus = {
      channelMessageId: status.id,
      status: status.status,
      ...(status.status === 'failed' && code !== undefined ? { errorCode: String(code) } : {}),
      ...(status.biz_opaque_callback_data ? { callbackData: status.biz_opaque_callback_data } : {}),
      ...(recipient ? { recipient } : {}),
    };
    for (const listener of this.listeners) await listener(observed);
  }

  private notifyIdle(): void {
    if (this.chats.size > 0 && !this.stopped) return;
    if (this.running.size > 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}

/**
 * A Cloud status as the outbox knows them: `played` (a voice message
 * listened to) counts as `read`; `sent` is already what the broadcast
 * recorded on Graph's answer; other statuses are not the outbox's.
 */
export function statusUpdate(status: CloudStatus, receivedAt: Date): StatusUpdate | null {
  const at = timeOf(status.timestamp, receivedAt);
  switch (status.status) {
    case 'delivered':
      return { channelMessageId: status.id, status: 'delivered', at };
    case 'read':
    case 'played':
      return { channelMessageId: status.id, status: 'read', at };
    case 'failed': {
      const code = status.errors?.[0]?.code;
      return code === undefined
        ? { channelMessageId: status.id, status: 'failed', at }
        : { channelMessageId: status.id, status: 'failed', at, errorCode: String(code) };
    }
    default:
      return null;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    if (error instanceof SyntaxError) return null;
    throw error;
  }
}
