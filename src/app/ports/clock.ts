/** The time, passed in so tests and benchmarks control it. */
export interface Clock {
  now(): Date;
}

/** The wall clock of the process. */
export const systemClock: Clock = { now: () => new Date() };
