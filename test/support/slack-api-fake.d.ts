export interface RecordedCall { method: string; params: Record<string, any>; token?: string; rateLimited?: boolean; failed?: boolean; at: number }
export interface FakeInstallSpec { team?: { id: string; name?: string } | null; enterprise?: { id: string; name?: string } | null; isEnterpriseInstall?: boolean; token?: string; botUserId?: string; botId?: string; appId?: string; scope?: string }
export interface FakeInstallation { token: string; team: { id: string; name?: string } | null; enterprise: { id: string; name?: string } | null; isEnterpriseInstall: boolean; botUserId: string; botId: string; appId: string; scope: string }
export interface SlackApiFake {
  apiUrl: string;
  authorizeUrl: string;
  installAs(spec: FakeInstallSpec): void;
  grant(spec: FakeInstallSpec): { code: string; installation: FakeInstallation };
  tokens: Map<string, FakeInstallation>;
  responseUrl(name?: string): string;
  calls: RecordedCall[];
  of(method: string): RecordedCall[];
  clear(): void;
  failNext(method: string, options?: { after?: number; error?: string }): void;
  waitFor(predicate: (calls: RecordedCall[]) => boolean, ms?: number): Promise<void>;
  close(): Promise<void>;
}
export function startSlackApiFake(options?: { rateLimitOnce?: Record<string, number>; delayMs?: Record<string, number>; rejectToken?: boolean; socketUrl?: string; keepParams?: boolean; answerMarker?: string; clientSecret?: string }): Promise<SlackApiFake>;
