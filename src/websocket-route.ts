// The server side of a server.ws() route: the step that hands a GET with Upgrade: websocket over to
// the WebSocket layer (src/ws/upgrade.ts), or answers 426 to a plain GET. The connection (ctx.owner)
// stops treating the socket as HTTP; the server's topics and open-socket set come with the host.
import * as abi from './abi.js';
import type { Context } from './context.js';
import type { Step } from './hooks.js';
import type { UpgradeRequest } from './http/stream-types.js';
import type { ResolvedWebSocketOptions } from './ws/options.js';
import { handleWebSocketUpgrade } from './ws/upgrade.js';
import type { UpgradeHost } from './ws/upgrade.js';
import type { EngineKind } from './wasm/instance.js';

/** The handler of a WebSocket route: `options` resolved at registration, `engine` already chosen. */
export function webSocketRoute(
  handlers: unknown, options: ResolvedWebSocketOptions, host: UpgradeHost, engine: EngineKind,
): Step<Context<any>> {
  return (ctx: Context<any>) => upgrade(ctx, handlers, options, host, engine);
}

function upgrade(
  ctx: Context<any>, handlers: unknown, options: ResolvedWebSocketOptions, host: UpgradeHost, engine: EngineKind,
): void {
  const request = ctx.request;
  const flags = request.flags;
  if ((flags & abi.F_CONN_UPGRADE) === 0 || (flags & abi.F_UPGRADE) === 0) {
    // RFC 9110 §15.5.22: 426 names the protocol to switch to, with Connection: upgrade (§7.8).
    ctx.status(426).header('upgrade', 'websocket').header('connection', 'upgrade').send('Upgrade Required\n');
    return;
  }
  const owner = ctx.owner;
  const socket = owner.socket;
  const paused = owner.wasPaused;
  const head = owner.detachForUpgrade();
  const upgradeRequest: UpgradeRequest = {
    method: request.method,
    path: request.path,
    query: request.query,
    version: request.versionNumber,
    header: (name: string) => request.header(name),
    headers: request.headers,
    params: ctx.params,
    remoteAddress: request.remoteAddress,
    secure: request.secure,
  };
  try {
    handleWebSocketUpgrade(upgradeRequest, socket, head, handlers, options, host, engine);
  } catch {
    socket.destroy();
  }
  if (paused) socket.resume();
}
