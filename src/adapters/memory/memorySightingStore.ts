import type { SightingReader, SightingStore } from '../../app/ports/sightings.js';
import type { GeoPoint } from '../../core/alert/alert.js';
import type { Place } from '../../core/case/report.js';
import type { Gazetteer } from '../../core/place/gazetteer.js';
import {
  assessSighting,
  type NewSighting,
  SIGHTING_WINDOW_MS,
  type Sighting,
  type SightingLink,
} from '../../core/sighting.js';

/**
 * Sightings in process memory, both the bot's side and the officers', for
 * unit tests, transcripts and benchmarks; linked, measured and weighed by the
 * same rule as the stored ones. What a sighting is linked to (its alert's case
 * and where the child was last seen) comes from `linkOf`, which stands for the
 * alert and case stores. Not for production: nothing survives a restart.
 */
export class MemorySightingStore implements SightingStore, SightingReader {
  private readonly sightings = new Map<string, Sighting>();

  constructor(
    private readonly linkOf: (alertId: string) => Promise<SightingLink | null>,
    private readonly gazetteer: Pick<Gazetteer, 'findCity'>,
  ) {}

  async add(
    sighting: NewSighting,
  ): Promise<{ created: boolean; sighting: Sighting; throttled: boolean; region: string | null }> {
    const link = await this.linkOf(sighting.alertId);
    if (!link) throw new Error(`sighting for an unknown alert ${sighting.alertId}`);
    const existing = this.sightings.get(sighting._id);
    if (existing)
      return {
        created: false,
        sighting: structuredClone(existing),
        throttled: false,
        region: link.region,
      };
    const recent = await this.countSince(
      sighting.channel,
      sighting.address,
      new Date(sighting.createdAt.getTime() - SIGHTING_WINDOW_MS),
    );
    const assessed = assessSighting(sighting, link, this.pointOf(sighting.place), recent);
    if (!assessed.throttled) this.sightings.set(sighting._id, structuredClone(assessed.sighting));
    return { created: !assessed.throttled, ...assessed, region: link.region };
  }

  async countSince(channel: string, address: string, since: Date): Promise<number> {
    let count = 0;
    for (const s of this.sightings.values()) {
      if (s.channel === channel && s.address === address && s.createdAt >= since) count++;
    }
    return count;
  }

  async exists(id: string): Promise<boolean> {
    return this.sightings.has(id);
  }

  /** A case's sightings, newest first. */
  async forCase(caseId: string): Promise<Sighting[]> {
    return [...this.sightings.values()]
      .filter((s) => s.caseId === caseId)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .map((s) => structuredClone(s));
  }

  private pointOf(place: Place): GeoPoint | null {
    if (place.kind === 'pin') return { lat: place.latitude, lon: place.longitude };
    const city = this.gazetteer.findCity(place.text);
    return city ? { lat: city.lat, lon: city.lon } : null;
  }
}
