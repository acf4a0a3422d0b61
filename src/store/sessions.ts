/**
 * The sessions port: one conversation per person per place, so a restart loses nothing. Writes go through
 * the unit of work (a turn's session is written with the rest of the turn, conditional on its version).
 */

export interface SessionRow<S> {
  key: string;
  flow: string;
  flowVersion: number;
  state: S;
  history: S[];
  version: number;
  updatedAt: number;
  expiresAt: number;
}

export interface SessionStore {
  /** The session as stored; its state is JSON the caller validates against its flow (S is not checked here). */
  get<S>(key: string): Promise<SessionRow<S> | undefined>;
}
