import type { Activity } from 'botbuilder-core';

export interface InboundSink {
  processActivity(activity: Partial<Activity>): Promise<void>;
}
