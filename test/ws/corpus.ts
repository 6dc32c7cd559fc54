// Reader for the WebSocket frame corpus (test/corpus/ws/*.md): one case per `### heading`, an
// ```input block (client→server bytes unless the options say otherwise), an optional ```options
// block and an ```events block. The harness (receiver.test.ts) replays every input split at every
// byte, on every engine.
//
// Input lines (concatenated in order):
//   81 85 37 fa 21 3d            raw hex bytes (spaces optional between pairs)
//   repeat a5 256                 256 raw bytes 0xa5
//   frame OP [nofin] [rsv1] [rsv2] [rsv3] [key=XXXXXXXX | nomask] [len=16|64] PAYLOAD
//       OP: text binary cont close ping pong, or a number 0..15. Masked with key 37fa213d unless
//       `nomask` / another key; the length uses the minimal encoding unless `len=` forces a longer one.
// PAYLOAD (input and events): "json string" (UTF-8) | hex:0102ff | bytes:41*300 | close:1000:"reason" | empty
//   | utf8:"é€"*420 (the string's UTF-8 repeated) | several of these joined by ` ++ ` (concatenated)
// Events (one per line, in order):
//   message text PAYLOAD | message binary PAYLOAD | ping PAYLOAD | pong PAYLOAD | close CODE PAYLOAD
//   error CLOSECODE WL_CODE
// Options: isServer=false maxPayload=N maxFragments=N
import { fileURLToPath } from 'node:url';
import { loadCorpusDir } from '../corpus/load.js';

export interface WsCase {
  readonly file: string;
  readonly title: string;
  readonly input: Buffer;
  readonly isServer: boolean;
  readonly maxPayload: number | undefined;
  readonly maxFragments: number | undefined;
  readonly events: readonly string[];
}

const OPS: Record<string, number> = { cont: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 };
export const DEFAULT_KEY = 0x37fa213d;

/** Reference masking, byte by byte straight from RFC 6455 §5.3: j = i MOD 4. */
export function referenceMask(data: Uint8Array, key: number, keyOffset: number): Buffer {
  const kb = [key >>> 24, (key >>> 16) & 0xff, (key >>> 8) & 0xff, key & 0xff];
  return Buffer.from(Array.from(data, (b, i) => b ^ kb[(i + keyOffset) % 4]!));
}

/** Parse a PAYLOAD token (the rest of the line). */
export function parsePayload(spec: string, where: string): Buffer {
  spec = spec.trim();
  if (spec.includes(' ++ ')) return Buffer.concat(spec.split(' ++ ').map((part) => parsePayload(part, where)));
  const repeated = /^utf8:(".*")\*(\d+)$/.exec(spec);
  if (repeated) return Buffer.from((JSON.parse(repeated[1]!) as string).repeat(Number(repeated[2])), 'utf8');
  if (spec === 'empty' || spec === '""') return Buffer.alloc(0);
  if (spec.startsWith('"')) return Buffer.from(JSON.parse(spec) as string, 'utf8');
  if (spec.startsWith('hex:')) {
    const hex = spec.slice(4).replace(/\s+/g, '');
    if (!/^([0-9a-fA-F]{2})*$/.test(hex)) throw new Error(`${where}: bad hex payload`);
    return Buffer.from(hex, 'hex');
  }
  let m = /^bytes:([0-9a-fA-F]{2})\*(\d+)$/.exec(spec);
  if (m) return Buffer.alloc(Number(m[2]), parseInt(m[1]!, 16));
  m = /^close:(\d+):(".*")$/.exec(spec);
  if (m) {
    const reason = Buffer.from(JSON.parse(m[2]!) as string, 'utf8');
    const b = Buffer.alloc(2 + reason.length);
    b.writeUInt16BE(Number(m[1]), 0);
    reason.copy(b, 2);
    return b;
  }
  throw new Error(`${where}: bad payload "${spec}"`);
}

function frameLine(words: string, where: string): Buffer {
  const m = /^(\S+)((?:\s+(?:nofin|rsv1|rsv2|rsv3|nomask|key=[0-9a-f]{8}|len=(?:16|64)))*)\s*(.*)$/.exec(words);
  if (!m) throw new Error(`${where}: bad frame line`);
  const opcode = m[1]! in OPS ? OPS[m[1]!]! : Number(m[1]);
  if (!Number.isInteger(opcode) || opcode < 0 || opcode > 15) throw new Error(`${where}: bad opcode ${m[1]}`);
  const flags = m[2]!.trim().split(/\s+/).filter(Boolean);
  const payload = parsePayload(m[3]!, where);
  let key: number | undefined = DEFAULT_KEY;
  let lenForm = payload.length < 126 ? 7 : payload.length < 65536 ? 16 : 64;
  let b0 = opcode | 0x80;
  for (const f of flags) {
    if (f === 'nofin') b0 &= ~0x80;
    else if (f === 'rsv1') b0 |= 0x40;
    else if (f === 'rsv2') b0 |= 0x20;
    else if (f === 'rsv3') b0 |= 0x10;
    else if (f === 'nomask') key = undefined;
    else if (f.startsWith('key=')) key = parseInt(f.slice(4), 16) >>> 0;
    else if (f.startsWith('len=')) lenForm = Number(f.slice(4));
  }
  const head: number[] = [b0];
  const mbit = key === undefined ? 0 : 0x80;
  const n = payload.length;
  if (lenForm === 7) head.push(mbit | n);
  else if (lenForm === 16) head.push(mbit | 126, n >>> 8, n & 0xff);
  else head.push(mbit | 127, 0, 0, 0, 0, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
  const body = Buffer.from(payload);
  if (key !== undefined) {
    const kb = [key >>> 24, (key >>> 16) & 0xff, (key >>> 8) & 0xff, key & 0xff];
    head.push(...kb);
    for (let i = 0; i < body.length; i++) body[i] = body[i]! ^ kb[i & 3]!;
  }
  return Buffer.concat([Buffer.from(head), body]);
}

/** Canonical event text: payloads as hex so expected and observed compare as strings. */
export function eventText(kind: string, payload: Buffer, extra?: string): string {
  return `${kind}${extra === undefined ? '' : ` ${extra}`} ${payload.toString('hex')}`;
}

function parseEvent(line: string, where: string): string {
  let m = /^message (text|binary) (.*)$/.exec(line);
  if (m) return eventText('message', parsePayload(m[2]!, where), m[1]);
  m = /^(ping|pong) (.*)$/.exec(line);
  if (m) return eventText(m[1]!, parsePayload(m[2]!, where));
  m = /^close (\d+) (.*)$/.exec(line);
  if (m) return eventText('close', parsePayload(m[2]!, where), m[1]);
  m = /^error (\d{4}) (WL_WS_[A-Z0-9_]+)$/.exec(line);
  if (m) return `error ${m[1]} ${m[2]}`;
  throw new Error(`${where}: bad event line "${line}"`);
}

export function parseWsCorpus(text: string, file: string): WsCase[] {
  const cases: WsCase[] = [];
  for (const section of text.split(/^### /m).slice(1)) {
    const title = section.slice(0, section.indexOf('\n')).trim();
    const where = `${file} › ${title}`;
    const blocks = new Map<string, string[]>();
    for (const b of section.matchAll(/^```(\w+)\n([\s\S]*?)^```$/gm)) {
      if (blocks.has(b[1]!)) throw new Error(`${where}: two ${b[1]} blocks`);
      blocks.set(b[1]!, b[2]!.split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter((l) => l !== '' && !l.startsWith('#')));
    }
    for (const k of blocks.keys()) if (!['input', 'events', 'options'].includes(k)) throw new Error(`${where}: unknown block ${k}`);
    if (!blocks.has('input') || !blocks.has('events')) throw new Error(`${where}: needs input and events blocks`);
    const parts = blocks.get('input')!.map((line) => {
      if (line.startsWith('frame ')) return frameLine(line.slice(6), where);
      const rep = /^repeat ([0-9a-fA-F]{2}) (\d+)$/.exec(line);
      if (rep) return Buffer.alloc(Number(rep[2]), parseInt(rep[1]!, 16));
      const hex = line.replace(/\s+/g, '');
      if (!/^([0-9a-fA-F]{2})+$/.test(hex)) throw new Error(`${where}: bad hex line "${line}"`);
      return Buffer.from(hex, 'hex');
    });
    let isServer = true;
    let maxPayload: number | undefined;
    let maxFragments: number | undefined;
    for (const opt of (blocks.get('options') ?? []).join(' ').split(/\s+/).filter(Boolean)) {
      const [k, v] = opt.split('=');
      if (k === 'isServer' && (v === 'true' || v === 'false')) isServer = v === 'true';
      else if (k === 'maxPayload' && /^\d+$/.test(v ?? '')) maxPayload = Number(v);
      else if (k === 'maxFragments' && /^\d+$/.test(v ?? '')) maxFragments = Number(v);
      else throw new Error(`${where}: bad option "${opt}"`);
    }
    const events = blocks.get('events')!.map((l) => parseEvent(l, where));
    cases.push({ file, title, input: Buffer.concat(parts), isServer, maxPayload, maxFragments, events });
  }
  return cases;
}

export function loadWsCorpus(): WsCase[] {
  return loadCorpusDir(fileURLToPath(new URL('../corpus/ws/', import.meta.url)), 'utf8', parseWsCorpus);
}
