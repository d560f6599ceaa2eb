import type { Activity } from 'botbuilder-core';

/**
 * Where the Cloud channel hands each inbound message, as a botbuilder
 * activity, once it is stored: the Cloud adapter, which runs the bot's turn
 * and sends the replies. A message is marked processed only after
 * `processActivity` resolves; a rejection leaves it to be tried again.
 */
export interface InboundSink {
  processActivity(activity: Partial<Activity>): Promise<void>;
}
