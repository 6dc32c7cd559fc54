// HTTP/1.1 attacks over raw node:net sockets (so the client controls every byte and segment): slow
// Content-Length bodies, bodies in 1-byte segments (within and over the body limit), an endless
// chunk-size line, and requests to a handler that never settles. Each connection is watched for the
// response status and for the server closing it; the runner adds the server's memory.
import { connect, watch, hangUp, accepted, waitDrain, since, sleep, HOST } from './wire.js';
import { statusSummary, closedSummary, cutSpread, responseSpread, stillOpen, fmtBytes, fmtSeconds } from './outcome.js';

const head = (port, lines) => `POST /upload HTTP/1.1\r\nHost: ${HOST}:${port}\r\n${lines.map((l) => `${l}\r\n`).join('')}\r\n`;

/** Open `n` connections (a few at a time, so the accept queue is not the thing being measured). */
async function openMany(port, n) {
  const out = [];
  for (let i = 0; i < n; i += 50) {
    const group = await Promise.all(Array.from({ length: Math.min(50, n - i) }, () => connect(port)));
    out.push(...group);
  }
  return out.map((s) => {
    s.setNoDelay(true);
    return watch(s);
  });
}

const settled = (w) => w.serverClosed !== null || w.socket.destroyed;

/** Wait until every connection is closed, or `ms`. */
async function untilSettled(watches, ms) {
  const until = performance.now() + ms;
  while (performance.now() < until && !watches.every(settled)) await sleep(25);
}

function report(watches, extra) {
  const cut = cutSpread(watches);
  return {
    outcome: statusSummary(watches),
    closedByServer: closedSummary(watches),
    acceptedBytes: watches.reduce((sum, w) => sum + w.acceptedBody, 0),
    cutMs: cut.maxMs,
    cut: cut.text,
    openClient: stillOpen(watches),
    ...extra,
  };
}

/** Each connection sends a head with a large Content-Length, then 1 body byte every `tickMs`. */
export async function slowBodies(port, p, ctx) {
  const watches = await openMany(port, p.connections);
  const t0 = performance.now();
  for (const w of watches) {
    w.t0 = t0;
    w.socket.write(head(port, [`Content-Length: ${p.bodySize}`, 'Content-Type: application/octet-stream']));
    w.base = w.socket.bytesWritten;
    w.acceptedBody = 0;
  }
  const one = Buffer.from('x');
  const timer = setInterval(() => {
    for (const w of watches) if (!settled(w) && w.status === null) w.socket.write(one);
  }, p.tickMs);
  let stopped = null;
  try {
    while (!stopped) {
      await sleep(100);
      if (watches.every((w) => settled(w))) stopped = 'all closed by the server';
      else stopped = ctx.stop() ?? (since(t0) > p.boundMs ? `cut by harness after ${fmtSeconds(p.boundMs)}` : null);
    }
    clearInterval(timer);
    for (const w of watches) w.acceptedBody = accepted(w.socket) - w.base;
    const openServer = ctx.serverOpen();
    return report(watches, {
      openServer,
      note: [`${p.connections} × 1 byte / ${p.tickMs} ms`, `first response ${responseSpread(watches) ?? 'never'}`, stopped].join('; '),
      details: { stopped, perConnection: watches.map(summaryOf) },
    });
  } finally {
    clearInterval(timer);
    for (const w of watches) hangUp(w);
  }
}

function summaryOf(w) {
  return { status: w.status, serverClosed: w.serverClosed, closedMs: w.closedMs, firstByteMs: w.firstByteMs, acceptedBody: w.acceptedBody };
}

/**
 * `clients` connections each send a body of `bodySize` bytes in 1-byte writes (TCP_NODELAY: one
 * segment each while the kernel keeps up). chunked: one chunk of bodySize (the limit can only be
 * found by counting). A client stops early when a response or a close arrives.
 */
export async function tinySegments(port, p, ctx) {
  const watches = await openMany(port, p.clients);
  const t0 = performance.now();
  let stopped = null;
  const stop = () => (stopped ??= ctx.stop() ?? (since(t0) > p.maxMs ? `cut by harness after ${fmtSeconds(p.maxMs)}` : null));
  const one = Buffer.from('y');
  const send = async (w) => {
    w.t0 = t0;
    w.acceptedBody = 0;
    const framing = p.chunked ? ['Transfer-Encoding: chunked'] : [`Content-Length: ${p.bodySize}`];
    w.socket.write(head(port, [...framing, 'Content-Type: application/octet-stream']));
    if (p.chunked) w.socket.write(`${p.bodySize.toString(16)}\r\n`);
    w.base = w.socket.bytesWritten;
    for (let i = 0; i < p.bodySize; i++) {
      if ((i & 63) === 0) {
        await new Promise(setImmediate); // let the other clients and the socket events run
        if (settled(w) || w.status !== null || stop()) return;
      }
      if (!w.socket.write(one)) {
        const r = await waitDrain(w.socket, Math.max(1, p.maxMs - since(t0)));
        if (r !== 'drain') return;
      }
    }
    w.bodySent = true;
    if (p.chunked) w.socket.write('\r\n0\r\n\r\n');
  };
  try {
    await Promise.all(watches.map(send));
    // Bodies are out (or the attack stopped): give the server a moment to answer them.
    // Wait for every connection to be answered and closed, or — answered but kept open (keep-alive,
    // or a server that keeps reading after a 413) — for one more second, within responseWaitMs.
    const waitUntil = performance.now() + p.responseWaitMs;
    let answeredAt = null;
    while (performance.now() < waitUntil && !watches.every(settled)) {
      if (answeredAt === null && watches.every((w) => w.status !== null || settled(w))) answeredAt = performance.now();
      if (answeredAt !== null && performance.now() - answeredAt > 1000) break;
      await sleep(50);
    }
    for (const w of watches) w.acceptedBody = accepted(w.socket) - w.base;
    const openServer = ctx.serverOpen();
    const sent = watches.filter((w) => w.bodySent).length;
    return report(watches, {
      openServer,
      note: [
        `${p.clients} × ${fmtBytes(p.bodySize)}${p.chunked ? ' chunked' : ''} in 1-byte writes`,
        `${sent}/${p.clients} bodies fully sent in ${fmtSeconds(since(t0))}`,
        // Whether the attack got far enough to test the limit at all (1-byte writes are slow).
        p.limit != null ? `${watches.filter((w) => w.acceptedBody > p.limit).length}/${p.clients} sent more than the ${fmtBytes(p.limit)} limit` : null,
        stopped,
      ].filter(Boolean).join('; '),
      details: { stopped, perConnection: watches.map(summaryOf) },
    });
  } finally {
    for (const w of watches) hangUp(w);
  }
}

/** `Transfer-Encoding: chunked`, then a chunk-size line of '0' that never ends (RFC 9112 §7.1). */
export async function chunkSizeLine(port, p, ctx) {
  const [w] = await openMany(port, 1);
  const zeros = Buffer.alloc(64 * 1024, '0');
  const t0 = performance.now();
  w.t0 = t0;
  w.socket.write(head(port, ['Transfer-Encoding: chunked']));
  w.base = w.socket.bytesWritten;
  w.acceptedBody = 0;
  let stopped = null;
  try {
    let writes = 0;
    while (!stopped) {
      if (settled(w) || w.status !== null) {
        stopped = w.status !== null ? `server answered ${w.status}` : `server closed (${w.serverClosed})`;
        break;
      }
      if (accepted(w.socket) - w.base >= p.maxBytes) stopped = `cut by harness at ${fmtBytes(p.maxBytes)}`;
      else if (since(t0) > p.maxMs) stopped = `cut by harness after ${fmtSeconds(p.maxMs)}`;
      else stopped = ctx.stop();
      if (stopped) break;
      if (!w.socket.write(zeros)) await waitDrain(w.socket, Math.max(1, p.maxMs - since(t0)));
      else if (++writes % 16 === 0) await new Promise(setImmediate);
    }
    // An answer or a close may be in flight: give it a second (a server closes right after its 400).
    await untilSettled([w], 1000);
    w.acceptedBody = accepted(w.socket) - w.base;
    const openServer = ctx.serverOpen();
    return report([w], {
      openServer,
      note: `${fmtBytes(w.acceptedBody)} of '0' taken; ${stopped}`,
      details: { stopped, perConnection: [summaryOf(w)] },
    });
  } finally {
    hangUp(w);
  }
}

/** `connections` requests to a route whose handler never settles. */
export async function hungHandler(port, p, ctx) {
  const watches = await openMany(port, p.connections);
  const t0 = performance.now();
  for (const w of watches) {
    w.t0 = t0;
    w.acceptedBody = 0;
    w.socket.write(`GET /hang HTTP/1.1\r\nHost: ${HOST}:${port}\r\n\r\n`);
  }
  let stopped = null;
  try {
    while (!stopped) {
      await sleep(100);
      if (watches.every((w) => w.status !== null && settled(w))) stopped = 'all answered and closed';
      else stopped = ctx.stop() ?? (since(t0) > p.boundMs ? `cut by harness after ${fmtSeconds(p.boundMs)}` : null);
    }
    const openServer = ctx.serverOpen();
    return report(watches, {
      acceptedBytes: null,
      openServer,
      note: [`first response ${responseSpread(watches) ?? 'never'}`, stopped].join('; '),
      details: { stopped, perConnection: watches.map(summaryOf) },
    });
  } finally {
    for (const w of watches) hangUp(w);
  }
}
