import type { SubscriberIndex, SubscriberPoint } from '../../app/ports/subscriptions.js';
import type { GeoPoint } from '../../core/alert/alert.js';
import { haversineKm } from '../../core/place/gazetteer.js';

/** Where subscribers are, in memory (unit tests and benchmarks): a map by subscription. */
export class MemorySubscriberIndex implements SubscriberIndex {
  private readonly points = new Map<string, SubscriberPoint>();

  async *within(centre: GeoPoint, radiusKm: number): AsyncIterable<SubscriberPoint> {
    // A copy: a subscriber who moves while an alert is being enqueued does not break the walk.
    for (const point of [...this.points.values()]) {
      if (haversineKm(centre, point.centre) <= radiusKm) yield { ...point };
    }
  }

  async put(point: SubscriberPoint, _previous: GeoPoint | null): Promise<void> {
    this.points.set(point._id, { ...point, centre: { ...point.centre } });
  }

  async remove(subscriptionId: string, _centre: GeoPoint): Promise<void> {
    this.points.delete(subscriptionId);
  }

  async ensureBuilt(source: AsyncIterable<SubscriberPoint>): Promise<void> {
    if (this.points.size === 0) await this.rebuild(source);
  }

  async rebuild(source: AsyncIterable<SubscriberPoint>): Promise<void> {
    this.points.clear();
    for await (const point of source) await this.put(point, null);
  }
}
