/** An active alert as a citizen may be asked about it ("which child?"). */
export interface AlertChoice {
  alertId: string;
  caseId: string;
  firstName: string;
  ageYears: number;
  city: string | null;
  /** The alert reached this number (otherwise it is simply active). */
  received: boolean;
}

/** What a conversation asks about alerts. */
export interface AlertDirectory {
  /** Active alerts, those this number received first; empty when none is active. */
  activeFor(channel: string, address: string): Promise<AlertChoice[]>;
  /** The alert whose message the channel names so, if it was one (a closing message is not). */
  repliedTo(channelMessageId: string): Promise<string | null>;
}
