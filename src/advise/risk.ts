/** A risk `advise` finds in a migration plan: what it is, why it bites, and its measured effect. */
export type RiskId =
  | 'reconnect-disabled'
  | 'controller-on-migrating-node'
  | 'reset-wait-delay-suppresses-reset'
  | 'download-storm'
  | 'multipod-disabled'
  | 'multipod-outage-long'
  | 'controller-on-pod-changing-node';

export interface Risk {
  id: RiskId;
  severity: 'high' | 'medium';
  title: string;
  reason: string;
  effect: string;
}
