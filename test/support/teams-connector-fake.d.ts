export interface Recorded {
  method: string;
  path: string;
  /** The conversation the activity was sent to ('' for a conversation created). */
  conversation: string;
  replyToId?: string;
  authorization?: string;
  body: any;
}
export interface Uploaded { path: string; contentRange?: string; bytes: Buffer }
export interface ConnectorFake {
  url: string;
  /** Where a fake OneDrive upload session for `name` is. */
  uploadUrl(name: string): string;
  calls: Recorded[];
  uploads: Uploaded[];
  /** The next `n` activities are refused with 429 and this Retry-After (seconds), as Teams throttles. */
  throttleNext(n: number, retryAfter?: string): void;
  /** After taking `n` more activities, the next one is refused with a 500 (once), as a connector that fails mid-post. */
  failAfter(n: number): void;
  /** How many were refused so far. */
  readonly throttled: number;
  close(): Promise<void>;
}
export function startConnectorFake(options?: { answerMarker?: string }): Promise<ConnectorFake>;
export function cardOf(call: Recorded): any;
export function cardText(call: Recorded): string;
export function actionsIn(card: unknown): { title: string; data: Record<string, unknown> }[];
export function menuChoicesIn(card: unknown): { title: string; value: string }[];
