/** What ARM reads of the data plane's call log (the audit module's CallLog, injected; ARM never imports it). */
export interface CallLogFilter {
  account?: string;
  from?: string;
  to?: string;
  principalId?: string;
  deployment?: string;
  decision?: string;
  status?: number;
}

export interface LoggedCall {
  at: string;
  requestId: string;
  principalId: string;
  via: string;
  account: string;
  deployment: string | undefined;
  operation: string;
  decision: string;
  assignmentId: string | undefined;
  status: number;
  promptTokens: number;
  completionTokens: number;
  latencyMs: number;
  traceId?: string | undefined;
}

export interface CallUsageRow {
  day: string;
  principalId: string;
  deployment: string;
  calls: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export interface CallPoint {
  at: string;
  deployment: string | undefined;
  operation: string;
  status: number;
  promptTokens: number;
  completionTokens: number;
  latencyMs: number;
}

export interface CallLogReader {
  list(filter: CallLogFilter & { limit?: number; after?: { at: string; requestId: string } }): Promise<LoggedCall[]>;
  usage(filter: CallLogFilter): Promise<CallUsageRow[]>;
  points(filter: CallLogFilter): Promise<CallPoint[]>;
}
