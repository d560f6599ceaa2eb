import type { AlertChoice, AlertDirectory } from '../../src/app/ports/alertDirectory.js';
import type { SightingLink } from '../../src/core/sighting.js';

/** The active alerts a transcript declares (`@alert` lines), the same for every number. */
export class ScriptedAlerts implements AlertDirectory {
  readonly active: AlertChoice[] = [];
  /** The alert each channel message id was sent for (`@sent` lines). */
  readonly messages = new Map<string, string>();

  async repliedTo(channelMessageId: string): Promise<string | null> {
    return this.messages.get(channelMessageId) ?? null;
  }

  async activeFor(): Promise<AlertChoice[]> {
    // Those this number received come first, as the real directory orders them.
    return [...this.active].sort((a, b) => Number(b.received) - Number(a.received));
  }
}

/**
 * The link a sighting of a declared alert gets: its case, no region and no
 * place last seen (transcripts measure no distances).
 */
export function transcriptSightingLink(
  alerts: ScriptedAlerts,
): (alertId: string) => Promise<SightingLink | null> {
  return async (alertId) => {
    const alert = alerts.active.find((a) => a.alertId === alertId);
    return alert ? { caseId: alert.caseId, region: null, lastSeen: null } : null;
  };
}
