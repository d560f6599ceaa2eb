import { mongo } from 'mongoose';
import { z } from 'zod';

/**
 * What the MongoDB driver's errors mean for the adapters that use it (the
 * MongoDB ones and the embedded FerretDB's): both servers answer a unique
 * index conflict with code 11000.
 */

/** Whether a write was refused because a unique key (often `_id`) is taken. */
export function isDuplicateKey(error: unknown): boolean {
  return z.object({ code: z.literal(11000) }).safeParse(error).success;
}

/**
 * The positions of the entries an `ordered: false` bulk insert refused as
 * duplicates; any other error is thrown again.
 */
export function refusedAsDuplicates(error: unknown): Set<number> {
  if (!(error instanceof mongo.MongoBulkWriteError)) throw error;
  // The driver gives one write error as an object and several as an array.
  const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
  if (writeErrors.length === 0 || !writeErrors.every((entry) => entry.code === 11000)) throw error;
  return new Set(writeErrors.map((entry) => entry.index));
}
