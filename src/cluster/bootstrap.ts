// The script cluster workers run when cluster({ setup: 'path/to/module.js' }) named a module: it runs
// that module (calling its default export when it is a function) as the worker's setup.
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ClusterWorker } from './worker.js';

const target = process.env.WASMLANE_CLUSTER_SETUP ?? '';
const options = JSON.parse(process.env.WASMLANE_CLUSTER_OPTIONS ?? '{}') as {
  broker?: boolean; statsIntervalMs?: number; drainTimeoutMs?: number;
};
const url = /^[a-z]+:/i.test(target) && !isAbsolute(target) ? new URL(target) : pathToFileURL(resolve(target));
new ClusterWorker({
  setup: url,
  broker: options.broker ?? true,
  statsIntervalMs: options.statsIntervalMs ?? 1000,
  drainTimeoutMs: options.drainTimeoutMs ?? 10_000,
  teardown: undefined,
});
