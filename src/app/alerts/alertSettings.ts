import type { AlertStage } from '../../core/alert/alert.js';

/** The alert settings an operator chooses (config: ALERT_*). */
export interface AlertSettings {
  stages: readonly AlertStage[];
  windowHours: number;
  /** The longest an alert may last in all, extensions included. */
  maxHours: number;
  /** How often stages, expiry and stranded outbox entries are looked at. */
  tickMs: number;
}
