/**
 * What one leaf holds for all its OpFlex peers together (the per-session bounds are ProxyLimits).
 * The values are listed in docs/limits.md; the presets stay far below them (XL: 10,000 pods on a
 * leaf pair, so about 20,000 registrations and 200 agents on each of its leaves).
 */
export interface LeafLimits {
  /** Endpoints registered on the leaf, by open sessions and by sessions that closed since. */
  registrationsPerLeafMax: number;
  /** Text of all of them, counted as declaredCharsPerSessionMax counts it (UTF-16 units). */
  declaredCharsPerLeafMax: number;
  /** Sessions past their identity handshake. */
  sessionsPerLeafMax: number;
  /**
   * Of them, sessions under one agent name. An agent holds one session per leaf, but its previous
   * session may outlive a reset on the leaf's side until the keepalive timeout (120 s) notices it.
   */
  sessionsPerAgentMax: number;
}

export const DEFAULT_LEAF_LIMITS: Readonly<LeafLimits> = {
  registrationsPerLeafMax: 65_536,
  declaredCharsPerLeafMax: 64 * 1024 * 1024,
  sessionsPerLeafMax: 16_384,
  sessionsPerAgentMax: 4,
};
