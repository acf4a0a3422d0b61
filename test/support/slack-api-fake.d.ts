export interface RecordedCall { method: string; params: Record<string, any>; token?: string; rateLimited?: boolean; failed?: boolean; at: number }
export interface SlackApiFake {
  apiUrl: string;
  responseUrl(name?: string): string;
  calls: RecordedCall[];
  of(method: string): RecordedCall[];
  clear(): void;
  failNext(method: string, options?: { after?: number; error?: string }): void;
  waitFor(predicate: (calls: RecordedCall[]) => boolean, ms?: number): Promise<void>;
  close(): Promise<void>;
}
export function startSlackApiFake(options?: { rateLimitOnce?: Record<string, number>; delayMs?: Record<string, number>; rejectToken?: boolean; socketUrl?: string; keepParams?: boolean; answerMarker?: string; oauth?: { clientId: string; clientSecret: string } }): Promise<SlackApiFake>;
