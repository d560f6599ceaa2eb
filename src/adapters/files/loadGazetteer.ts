import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../../core/errors.js';
import { type Gazetteer, parseGazetteer } from '../../core/place/gazetteer.js';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The gazetteer shipped with the project: Morocco's regions, provinces and main towns. */
export const GAZETTEER_FILE = join(projectRoot, 'data', 'gazetteer', 'morocco.json');

// The file does not change while the process runs; parsing it builds indexes
// that every place lookup shares.
const loaded = new Map<string, Gazetteer>();

/**
 * Reads, validates and indexes a gazetteer file once per process. A broken file
 * stops start-up with a message naming the file and what is wrong with it.
 */
export function loadGazetteer(file: string = GAZETTEER_FILE): Gazetteer {
  const cached = loaded.get(file);
  if (cached) return cached;
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new AppError('internal', `${file}: cannot read the gazetteer: ${reason}`);
  }
  let gazetteer: Gazetteer;
  try {
    gazetteer = parseGazetteer(data);
  } catch (error) {
    if (error instanceof AppError) throw new AppError(error.code, `${file}: ${error.message}`);
    throw error;
  }
  loaded.set(file, gazetteer);
  return gazetteer;
}
