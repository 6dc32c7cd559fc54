// Server CPU time, read from the outside: utime + stime of a process (all its threads: the main
// thread, libuv's pool, V8's GC helpers) from /proc/<pid>/stat (Linux). Read by the load generator
// or the runner, never by the server itself, so measuring costs the server nothing.
//
// Why this figure: on a 2-core machine the load generator shares the machine with the server, so
// req/s partly measures how fast the generator is; CPU seconds the server spent per request served
// does not depend on the generator (a slow generator leaves the server idle, not busier per request).
// Resolution: one clock tick (getconf CLK_TCK, 100 Hz on Linux: 10 ms), so a 5 s run at full load
// is measured to ±0.2 %.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let tick;
/** Clock ticks per second of /proc/<pid>/stat's times (CLK_TCK). */
export function clockTick() {
  if (tick === undefined) {
    try {
      tick = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      tick = 100; // the Linux USER_HZ on every mainstream architecture
    }
  }
  return tick;
}

/** utime + stime in ticks from the text of /proc/<pid>/stat (fields 14 and 15, after the "(comm)"). */
export function statTicks(text) {
  // comm may contain spaces and parentheses: the fields start after the LAST ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** CPU seconds (user + system) a process has used so far; null when it is gone or /proc is absent. */
export function cpuSeconds(pid) {
  if (!pid) return null;
  try {
    return statTicks(readFileSync(`/proc/${pid}/stat`, 'latin1')) / clockTick();
  } catch {
    return null;
  }
}

/** Sum of cpuSeconds over several processes in milliseconds (processes that are gone count 0). */
export function cpuMs(pids) {
  let s = 0;
  for (const pid of pids) s += cpuSeconds(pid) ?? 0;
  return s * 1000;
}

/**
 * A meter around one measured interval: start() reads the server's CPU time, stop() reads it again
 * and returns the CPU seconds spent in between (null when it could not be read).
 * @param {number|null|undefined} pid the server process
 */
export function cpuMeter(pid) {
  let before = null;
  return {
    start() {
      before = cpuSeconds(pid);
    },
    stop() {
      const after = cpuSeconds(pid);
      return before == null || after == null ? null : after - before;
    },
  };
}

/** CPU µs per unit of work (request, message, delivery); null when either side is unknown. */
export function cpuUsPer(cpuS, count) {
  return cpuS == null || !count ? null : (cpuS * 1e6) / count;
}
