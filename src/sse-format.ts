// The text/event-stream wire format (WHATWG HTML §9.2 "Server-sent events", "Parsing an event
// stream"): an event is a block of `field: value` lines ended by an empty line. The client strips ONE
// space after the colon, so we always write `field: value` and a value's own leading spaces survive.
// Line breaks are CRLF, CR or LF alike on the client side, so data is split on all three and each
// line gets its own `data:` field (the client joins them back with LF).
import { WasmlaneError } from './errors.js';

/** One event to send. `data` is a string, or any JSON-able value (sent as JSON). */
export interface SseEvent {
  /** Event type (the client's addEventListener name); 'message' when absent. No CR/LF. */
  event?: string;
  data: unknown;
  /** Sets the client's last event ID (sent back as Last-Event-ID on reconnect). No CR/LF/NUL. */
  id?: string | number;
  /** Reconnection time in milliseconds for the client (a non-negative integer). */
  retry?: number;
}

const LINE_BREAK = /\r\n|\r|\n/;
const HAS_BREAK = /[\r\n]/;
const HAS_BREAK_OR_NUL = /[\r\n\0]/;

/** `data: line\n` for each line of `text`. */
export function dataLines(text: string): string {
  if (!HAS_BREAK.test(text)) return `data: ${text}\n`;
  let out = '';
  for (const line of text.split(LINE_BREAK)) out += `data: ${line}\n`;
  return out;
}

/** The data field's text: strings as they are, everything else as JSON. */
export function dataText(data: unknown): string {
  if (typeof data === 'string') return data;
  const json = JSON.stringify(data);
  // undefined, functions and symbols have no JSON form: refuse rather than send "undefined".
  if (json === undefined) throw new WasmlaneError('WL_SSE_INVALID_FIELD', 'data has no JSON form');
  return json;
}

/** Serialize one event (ends with the blank line that dispatches it). */
export function formatEvent(message: SseEvent): string {
  let out = '';
  const { event, id, retry } = message;
  if (event !== undefined) {
    // A line break would end the field early and start a forged one (field injection).
    if (typeof event !== 'string' || HAS_BREAK.test(event)) {
      throw new WasmlaneError('WL_SSE_INVALID_FIELD', 'event must be a string without CR or LF');
    }
    out += `event: ${event}\n`;
  }
  if (id !== undefined) {
    const text = String(id);
    // The client ignores an id containing NUL (§9.2.6), so it would silently not be remembered.
    if ((typeof id !== 'string' && typeof id !== 'number') || HAS_BREAK_OR_NUL.test(text)) {
      throw new WasmlaneError('WL_SSE_INVALID_FIELD', 'id must be a string or number without CR, LF or NUL');
    }
    out += `id: ${text}\n`;
  }
  if (retry !== undefined) out += retryLine(retry);
  out += dataLines(dataText(message.data));
  return out + '\n';
}

/** `retry: ms\n`: the client accepts only ASCII digits (§9.2.6). */
export function retryLine(retry: number): string {
  if (!Number.isSafeInteger(retry) || retry < 0) {
    throw new WasmlaneError('WL_SSE_INVALID_FIELD', 'retry must be a non-negative integer (milliseconds)');
  }
  return `retry: ${retry}\n`;
}

/** A comment block (`: text` per line); clients ignore it, proxies see traffic (heartbeat). */
export function formatComment(text: string): string {
  if (!HAS_BREAK.test(text)) return `: ${text}\n\n`;
  let out = '';
  for (const line of text.split(LINE_BREAK)) out += `: ${line}\n`;
  return out + '\n';
}
