// Child processes of the load benchmark: servers (pinned to one core) that announce their port on
// stdout, and load-generator runs (pinned to the other core) that print one JSON result.
// Every child is tracked so that nothing outlives the runner, even when it fails.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const live = new Set();
function track(child) {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}
/** Kill every child still running (used on errors and on SIGINT). */
export function killAll() {
  for (const child of live) child.kill('SIGKILL');
}
process.once('exit', killAll);

/** argv prefix for running node on `core`: taskset when available and pinning is on. */
export function pinnedCommand(taskset, core, nodeArgs) {
  return taskset && core != null
    ? { cmd: taskset, args: ['-c', String(core), process.execPath, ...nodeArgs] }
    : { cmd: process.execPath, args: nodeArgs };
}

/**
 * Start a server script and resolve with {port, child, stop()} once it printed its JSON port line.
 * @param {{script: URL, args?: string[], nodeFlags?: string[], taskset?: string|null, core?: number|null,
 *          timeoutMs?: number, env?: object}} o
 */
export function startServer(o) {
  const nodeArgs = [...(o.nodeFlags ?? []), fileURLToPath(o.script), ...(o.args ?? [])];
  const { cmd, args } = pinnedCommand(o.taskset, o.core, nodeArgs);
  const child = track(spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...(o.env ?? {}) } }));
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
    if (stderr.length > 20_000) stderr = stderr.slice(-10_000);
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server ${o.script.pathname} did not announce a port within ${o.timeoutMs ?? 10000} ms\n${stderr}`));
    }, o.timeoutMs ?? 10_000);
    child.stdout.on('data', function onData(d) {
      out += d;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.stdout.resume(); // keep draining anything else it prints
      try {
        const info = JSON.parse(out.slice(0, nl));
        resolve({ ...info, child, stderr: () => stderr, stop: () => stopProcess(child) });
      } catch {
        child.kill('SIGKILL');
        reject(new Error(`server ${o.script.pathname} printed "${out.slice(0, nl)}" instead of its port`));
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server ${o.script.pathname} exited (${code ?? signal}) before announcing a port\n${stderr}`));
    });
  });
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code once the process is gone. */
export function stopProcess(child, graceMs = 3000) {
  if (child.exitCode != null || child.signalCode != null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.kill('SIGTERM');
  });
}

/**
 * Run the load generator once in its own (pinned) process; resolves with its parsed JSON result.
 * The input goes through stdin: a workload's body (1 MiB) is too big for an argument.
 */
export function runLoadgen(input, { taskset, core, timeoutMs }) {
  const script = new URL('./loadgen.js', import.meta.url);
  const { cmd, args } = pinnedCommand(taskset, core, [fileURLToPath(script), '-']);
  const child = track(spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] }));
  child.stdin.end(JSON.stringify(input));
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop();
      if (code === 0 && line) {
        try {
          resolve(JSON.parse(line));
          return;
        } catch {
          /* fall through */
        }
      }
      reject(new Error(`load generator failed (${code ?? signal}): ${err.slice(-2000) || out.slice(-500)}`));
    });
  });
}
