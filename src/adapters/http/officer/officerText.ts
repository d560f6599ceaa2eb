import { z } from 'zod';
import { cleanTypedText } from '../../../core/typedText.js';

/**
 * Text an officer writes that a family or the public will read (a message,
 * an alert text) or that joins the case: cleaned like what families type
 * (no control, bidi or needless zero-width characters), then trimmed and
 * measured.
 */
export const officerText = (min: number, max: number) =>
  z.string().overwrite(cleanTypedText).trim().min(min).max(max);
