import type { CallFilter, CallLogEntry, CallPoint, CallUsageRow } from "../storage/records.ts";

/** What ARM reads of the data plane's call log (the audit module's CallLog, injected; ARM never imports it). */
export interface CallLogReader {
  list(filter: CallFilter & { limit?: number; after?: { at: string; requestId: string } }): Promise<CallLogEntry[]>;
  usage(filter: CallFilter): Promise<CallUsageRow[]>;
  points(filter: CallFilter): Promise<CallPoint[]>;
}
