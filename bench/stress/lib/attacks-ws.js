// WebSocket attacks: a ping flood and an echo flood from clients that never read, and a stalled
// subscriber behind a publisher. Each returns the outcome as the client saw it; the runner adds the
// server's memory. Clients are raw node:net sockets that stay paused (nothing read from the kernel)
// until the attack is over, then read back what the server queued, to find a close frame.
import { wsHandshake, maskedFrame, FrameScanner, readBack, watch, hangUp, accepted, waitDrain, since, sleep } from './wire.js';
import { fmtBytes, fmtSeconds } from './outcome.js';

const PING_PAYLOAD = Buffer.alloc(125, 0x70); // the largest control payload (RFC 6455 §5.5)

/** What a read-back found: "close 1008", "no close frame", or how the connection ended. */
function closeOutcome(scanner, w, back) {
  if (scanner.closeCode !== null) return `close ${scanner.closeCode}`;
  if (w.serverClosed === 'reset') return 'reset, no close frame seen';
  if (w.serverClosed !== null) return `closed (${w.serverClosed}), no close frame`;
  return back ? `no close frame (${back.why} after ${fmtSeconds(back.ms)} of reading)` : 'no close frame';
}

/**
 * Write `frame` batches on `socket` with backpressure until `until()` says stop; a drain that does
 * not come within `stallMs` is recorded as the server having stopped reading (TCP window closed).
 */
async function flood(socket, nextBatch, o) {
  const t0 = performance.now();
  let stalledAtMs = null;
  let stopped = null;
  let writes = 0;
  for (;;) {
    // Writes the kernel takes at once never wait: yield now and then so timers and socket events run.
    if (++writes % 16 === 0) await new Promise(setImmediate);
    stopped = o.stop() ?? (since(t0) > o.maxMs ? `harness time limit ${fmtSeconds(o.maxMs)}` : null);
    if (stopped) break;
    if (socket.destroyed) {
      stopped = 'connection closed during the flood';
      break;
    }
    const batch = nextBatch();
    if (batch === null) {
      stopped = 'all sent';
      break;
    }
    if (!socket.write(batch)) {
      const left = o.maxMs - since(t0);
      const r = await waitDrain(socket, Math.min(o.stallMs, Math.max(1, left)));
      if (r === 'timeout' && left > o.stallMs) {
        stalledAtMs ??= since(t0);
        // Keep waiting (the server may resume or cut us) until the time limit.
        const r2 = await waitDrain(socket, Math.max(1, o.maxMs - since(t0)));
        if (r2 === 'drain') continue;
      }
    }
  }
  return { stopped, stalledAtMs, ms: since(t0) };
}

/** Why a timed flood ended, when it was not simply its time running out. */
function floodEnd(f, p) {
  if (f.stopped === 'all sent') return `stopped by harness at the ${fmtBytes(p.maxBytes)} cap`;
  return /time limit/.test(f.stopped) ? null : f.stopped;
}

export async function pingFlood(port, p, ctx) {
  const { socket, leftover } = await wsHandshake(port, '/echo');
  const w = watch(socket);
  const scanner = new FrameScanner();
  scanner.push(leftover);
  const ping = maskedFrame(0x9, PING_PAYLOAD);
  const perBatch = 500;
  const batch = Buffer.concat(Array(perBatch).fill(ping));
  const base = socket.bytesWritten;
  let sent = 0;
  try {
    const f = await flood(
      socket,
      () => {
        if (sent >= p.pings) return null;
        const n = Math.min(perBatch, p.pings - sent);
        sent += n;
        return n === perBatch ? batch : batch.subarray(0, n * ping.length);
      },
      { stop: ctx.stop, maxMs: p.maxMs, stallMs: p.stallMs },
    );
    await sleep(300); // let the server work through what the kernel holds
    const pingsAccepted = Math.floor((accepted(socket) - base) / ping.length);
    const back = socket.destroyed ? null : await readBack(socket, scanner, { maxMs: p.readBackMs });
    const openServer = ctx.serverOpen();
    const stalled = f.stalledAtMs !== null ? `server stopped reading after ${fmtSeconds(f.stalledAtMs)}` : null;
    return {
      outcome: closeOutcome(scanner, w, back),
      closedByServer: w.serverClosed ? `yes (${w.serverClosed})` : 'no',
      acceptedBytes: accepted(socket) - base,
      cutMs: w.closedMs,
      openClient: w.serverClosed === null ? 1 : 0,
      openServer,
      note: [
        `${pingsAccepted.toLocaleString('en-US')}/${p.pings.toLocaleString('en-US')} pings taken`,
        `${scanner.frames.pong.toLocaleString('en-US')} pongs read back`,
        stalled,
        f.stopped !== 'all sent' ? f.stopped : null,
      ].filter(Boolean).join('; '),
      details: { pingsSent: sent, pingsAccepted, pongs: scanner.frames.pong, flood: f, readBack: back, frames: scanner.frames },
    };
  } finally {
    hangUp(w);
  }
}

export async function echoFlood(port, p, ctx) {
  const { socket, leftover } = await wsHandshake(port, '/echo');
  const w = watch(socket);
  const scanner = new FrameScanner();
  scanner.push(leftover);
  const frame = maskedFrame(0x1, Buffer.alloc(p.messageSize, 'a')); // text: valid UTF-8 (§8.1)
  const base = socket.bytesWritten;
  let messages = 0;
  try {
    const f = await flood(
      socket,
      () => {
        if ((messages + 1) * frame.length > p.maxBytes) return null;
        messages++;
        return frame;
      },
      { stop: ctx.stop, maxMs: p.seconds * 1000, stallMs: p.stallMs },
    );
    const took = accepted(socket) - base;
    const back = socket.destroyed ? null : await readBack(socket, scanner, { maxMs: p.readBackMs });
    const openServer = ctx.serverOpen();
    return {
      outcome: closeOutcome(scanner, w, back),
      closedByServer: w.serverClosed ? `yes (${w.serverClosed})` : 'no',
      acceptedBytes: took,
      cutMs: w.closedMs,
      openClient: w.serverClosed === null ? 1 : 0,
      openServer,
      note: [
        `${Math.floor(took / frame.length).toLocaleString('en-US')} × ${p.messageSize / 1024} KiB taken in ${fmtSeconds(f.ms)}`,
        f.stalledAtMs !== null ? `server stopped reading after ${fmtSeconds(f.stalledAtMs)}` : null,
        `${fmtBytes(scanner.payloadBytes)} of echoes read back`,
        floodEnd(f, p),
      ].filter(Boolean).join('; '),
      details: { messagesWritten: messages, flood: f, readBack: back, frames: scanner.frames },
    };
  } finally {
    hangUp(w);
  }
}

export async function stalledSubscriber(port, p, ctx) {
  const sub = await wsHandshake(port, '/sub');
  const sw = watch(sub.socket);
  const scanner = new FrameScanner();
  scanner.push(sub.leftover);
  await sleep(200); // the subscription happens in the server's open handler
  const pub = await wsHandshake(port, '/pub');
  const pw = watch(pub.socket);
  pub.socket.resume(); // the publisher reads (and discards) whatever it gets
  const frame = maskedFrame(0x2, Buffer.alloc(p.messageSize, 0x42));
  const base = pub.socket.bytesWritten;
  let messages = 0;
  try {
    const f = await flood(
      pub.socket,
      () => {
        if ((messages + 1) * frame.length > p.maxBytes) return null;
        messages++;
        return frame;
      },
      { stop: ctx.stop, maxMs: p.seconds * 1000, stallMs: p.stallMs },
    );
    const published = accepted(pub.socket) - base;
    const back = sub.socket.destroyed ? null : await readBack(sub.socket, scanner, { maxMs: p.readBackMs });
    const openServer = ctx.serverOpen();
    return {
      outcome: closeOutcome(scanner, sw, back),
      closedByServer: sw.serverClosed ? `yes (${sw.serverClosed})` : 'no',
      acceptedBytes: published,
      cutMs: sw.closedMs,
      openClient: (sw.serverClosed === null ? 1 : 0) + (pw.serverClosed === null ? 1 : 0),
      openServer,
      note: [
        `published ${fmtBytes(published)} in ${fmtSeconds(f.ms)}`,
        `subscriber read back ${scanner.frames.binary.toLocaleString('en-US')} messages`,
        pw.serverClosed ? `publisher closed (${pw.serverClosed})` : null,
        floodEnd(f, p),
      ].filter(Boolean).join('; '),
      details: { messagesWritten: messages, flood: f, readBack: back, frames: scanner.frames, publisherClosed: pw.serverClosed },
    };
  } finally {
    hangUp(sw);
    hangUp(pw);
  }
}
