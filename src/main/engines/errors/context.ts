/** Which engine call failed: every classified error says where it came from, because the same status means different things per step. */
export type EngineOperation = 'submit' | 'poll' | 'download' | 'cancel' | 'findJob';

export interface EngineCallContext {
  /** Provider id as the registry names it (used in messages only). */
  provider: string;
  operation: EngineOperation;
  /** Strings that must never appear in a message: the API key, a signing secret, a minted JWT. */
  secrets?: readonly string[];
}

export interface ThrownErrorContext extends EngineCallContext {
  /**
   * The user's Cancel signal alone (not the combined one the adapter got), so that an
   * abort can be told apart: the user cancelled, or our own per-call timeout fired.
   */
  userSignal?: AbortSignal;
}
