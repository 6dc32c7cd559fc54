// Content-Type by file extension for serveStatic(). Text types carry "; charset=utf-8" (RFC 9110
// §8.3.1: without it a recipient may guess; modern text assets are UTF-8). JavaScript is
// text/javascript (RFC 9239 §6, which obsoletes application/javascript); source maps are JSON.
const UTF8 = '; charset=utf-8';

const TYPES: Record<string, string> = {
  html: 'text/html' + UTF8,
  htm: 'text/html' + UTF8,
  css: 'text/css' + UTF8,
  js: 'text/javascript' + UTF8,
  mjs: 'text/javascript' + UTF8,
  cjs: 'text/javascript' + UTF8,
  json: 'application/json' + UTF8,
  map: 'application/json' + UTF8,
  webmanifest: 'application/manifest+json' + UTF8,
  txt: 'text/plain' + UTF8,
  md: 'text/markdown' + UTF8,
  csv: 'text/csv' + UTF8,
  xml: 'application/xml' + UTF8,
  svg: 'image/svg+xml' + UTF8,
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  ico: 'image/x-icon',
  woff: 'font/woff',
  woff2: 'font/woff2',
  ttf: 'font/ttf',
  otf: 'font/otf',
  pdf: 'application/pdf',
  wasm: 'application/wasm',
  mp4: 'video/mp4',
  webm: 'video/webm',
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  ogg: 'audio/ogg',
  zip: 'application/zip',
  gz: 'application/gzip',
};

/** Unknown extensions: opaque bytes (RFC 9110 §8.3: a sender that does not know the type may omit
 *  it; we name the safe generic one so browsers do not sniff and render as HTML). */
export const DEFAULT_TYPE = 'application/octet-stream';

/** The Content-Type for a file name; `extra` (lower-case extension → type) wins over the table. */
export function mimeType(name: string, extra?: Readonly<Record<string, string>>): string {
  const dot = name.lastIndexOf('.');
  const slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
  if (dot <= slash + 1) return DEFAULT_TYPE; // no extension, or a dotfile name like ".env"
  const ext = name.slice(dot + 1).toLowerCase();
  return extra?.[ext] ?? TYPES[ext] ?? DEFAULT_TYPE;
}
