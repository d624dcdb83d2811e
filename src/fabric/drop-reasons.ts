/**
 * Why a probe's packet was dropped: the words the data plane decides with and the reports count by,
 * each with the one line that explains it in reports and docs. Nothing here depends on how the data
 * plane works, so reports read it without loading the data plane.
 */
export type DropReason =
  | 'vm-stunned'
  | 'endpoint-unknown'
  | 'no-policy'
  | 'stale-local-entry'
  | 'stale-remote-entry'
  | 'contract-denied'
  | 'unknown-destination';

export const DROP_REASONS: Record<DropReason, string> = {
  'vm-stunned': 'the VM is paused for the switch-over',
  'endpoint-unknown': 'the leaf does not know the endpoint yet',
  'no-policy': "the leaf does not hold the endpoint's EPG, BD, VRF or contracts yet",
  'stale-local-entry': 'the leaf still has the endpoint as local, but the VM has left its port',
  'stale-remote-entry': 'the packet was tunnelled to a leaf that no longer has the endpoint',
  'contract-denied': 'a contract rule denies the packet, or no contract rule permits its EPG pair, protocol and port (implicit deny)',
  'unknown-destination': 'COOP knows no owner for the destination',
};

/** Whether a word read back from a report or trace is one of the drop reasons. */
export function isDropReason(word: string): word is DropReason {
  return Object.hasOwn(DROP_REASONS, word);
}
