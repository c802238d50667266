import { CodedError } from '../../shared/errors.js';

/**
 * Why talking to a peer failed, in the words a user acts on: check the address (unreachable), ask the
 * peer's administrator to admit us (ae-rejected, refused), wait or check the network (timeout), or report
 * a faulty peer (protocol, status).
 */
export type PeerFailure =
  | 'unreachable'
  | 'refused'
  | 'ae-rejected'
  | 'timeout'
  | 'protocol'
  | 'status'
  | 'not-accepted'
  | 'auth'
  | 'cancelled';

/** A failure talking to a PACS or archive. Messages name the node, services and status codes only. */
export class PeerError extends CodedError<PeerFailure> {
  override readonly name = 'PeerError';
}
