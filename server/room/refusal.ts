/** Why a room closes a peer: a documented close code, a detail for the peer and the log, and the
 * label it is counted under in `boardcast_refusals_total{reason}`. */
import type { CloseCode } from '../../common/protocol/close-codes.ts';

export interface Refusal {
  close: CloseCode;
  detail: string;
  reason: string;
}
