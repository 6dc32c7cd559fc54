// CPU time of processes from /proc/<pid>/stat (Linux): utime + stime, the figure that stays steady
// when the machine is shared (req/s moves with whatever else runs; CPU per request much less).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let tick;
function clockTicks() {
  if (tick === undefined) {
    try {
      tick = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      tick = 100; // the Linux default
    }
  }
  return tick;
}

/** Milliseconds of CPU used so far by `pids` together (user + system); a pid that is gone counts 0. */
export function cpuMs(pids) {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15 of stat)
    } catch {
      // gone
    }
  }
  return (ticks * 1000) / clockTicks();
}
