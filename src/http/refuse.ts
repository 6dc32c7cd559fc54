// Requests refused on their head alone, before any body is read (the connection then closes, since
// an unread body leaves the framing unknown). Called only for the rare heads that may need it
// (an unsupported Expect, or CONNECT), so the common request pays a bit test.
import * as abi from '../abi.js';
import { WasmlaneError } from '../errors.js';

/** The error to answer a parsed head with, or null to go on. `bodyless`: no body follows the head. */
export function refuseRequest(flags: number, methodId: number, bodyless: boolean): WasmlaneError | null {
  // RFC 9110 §9.3.6: "A CONNECT request message does not have content." A Content-Length above 0
  // or a Transfer-Encoding makes what follows ambiguous (tunnel bytes or body?): refuse it
  // (Content-Length: 0 declares no content and is accepted).
  if (methodId === abi.METHOD_CONNECT && !bodyless) return new WasmlaneError('WL_CONNECT_WITH_BODY');
  // RFC 9110 §10.1.1: an expectation we do not support → 417; the body was never asked for.
  if ((flags & abi.F_EXPECT_OTHER) !== 0) return new WasmlaneError('WL_EXPECTATION_FAILED');
  return null;
}
