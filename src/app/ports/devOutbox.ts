/** One message the dev channel sent outside a turn. */
export interface DevOutboxMessage {
  to: string;
  text: string;
  imageUrl?: string;
  at: Date;
  /** The dev channel's id for it, which statuses and replies name it by. */
  messageId?: string;
  /** The answers it offered as buttons, and whether it asked for a location pin. */
  choices?: Array<{ title: string; value: string }>;
  requestLocation?: true;
}

/** What the dev channel sent outside a turn, for `GET /dev/outbox` (development only). */
export interface DevOutbox {
  /** Stores a message; with an `id` (the idempotency key) a second add of it is ignored. */
  add(message: DevOutboxMessage & { id?: string | undefined }): Promise<void>;
  /** Every message sent to one address, oldest first. */
  list(to: string): Promise<Array<Omit<DevOutboxMessage, 'to'>>>;
}
