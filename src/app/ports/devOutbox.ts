/** One message the dev channel sent outside a turn. */
export interface DevOutboxMessage {
  to: string;
  text: string;
  imageUrl?: string;
  at: Date;
}

/** What the dev channel sent outside a turn, for `GET /dev/outbox` (development only). */
export interface DevOutbox {
  /** Stores a message; with an `id` (the idempotency key) a second add of it is ignored. */
  add(message: DevOutboxMessage & { id?: string | undefined }): Promise<void>;
  list(to: string): Promise<Array<{ text: string; imageUrl?: string; at: Date }>>;
}
