import type { QueueEntry } from './storedCase.js';

/**
 * Which open cases a queue read covers:
 * - `region`: one region's queue (an officer's, a supervisor's);
 * - `national`: the cases no region claims (a report from a town the
 *   gazetteer does not know), which every supervisor and admin sees until one
 *   of them sets the region;
 * - `all`: every case, whatever its region (admins).
 */
export type QueueScope =
  | { kind: 'region'; region: string }
  | { kind: 'national' }
  | { kind: 'all' };

/** Whether a case of this region is in the scope. */
export function inScope(scope: QueueScope, region: QueueEntry['region']): boolean {
  switch (scope.kind) {
    case 'region':
      return region === scope.region;
    case 'national':
      return region === null;
    case 'all':
      return true;
    default: {
      const unknown: never = scope;
      throw new Error(`unknown queue scope ${String(unknown)}`);
    }
  }
}
