import type { Connection } from 'mongoose';

/**
 * How long a health check waits for the database's answer: a frozen server
 * never answers, and a probe must answer within a second either way.
 */
export const PROBE_TIMEOUT_MS = 800;

/** What one probe of the database found. */
export type ProbeResult =
  | { ok: true }
  | { ok: false; reason: 'timeout' | 'error'; error?: unknown };

/**
 * Pings the database and gives up after `timeoutMs`. A ping that answers
 * after the deadline is ignored: the probe already said the database is gone.
 */
export async function probeDatabase(
  connection: Connection,
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<ProbeResult> {
  const db = connection.db;
  if (!db || connection.readyState !== 1) {
    // Mongoose knows the driver lost the server; no need to wait for a ping.
    return { ok: false, reason: 'error' };
  }
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<ProbeResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, reason: 'timeout' }), timeoutMs);
  });
  const ping = db
    .admin()
    .ping()
    .then(
      (): ProbeResult => ({ ok: true }),
      (error: unknown): ProbeResult => ({ ok: false, reason: 'error', error }),
    );
  try {
    return await Promise.race([ping, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
