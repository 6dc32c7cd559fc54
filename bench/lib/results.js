// Benchmark results on disk: bench/results/<suite>-<timestamp>.json, one file per run, so runs can
// be compared later without re-running anything. The timestamp is UTC and sortable.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

/** 2026-11-21T13:40:05.123Z → "20261121-134005". */
export function timestamp(date = new Date()) {
  return date.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

/** Path of a new result file for `name` with extension `ext` (the directory is created). */
export function resultPath(name, ext, stamp = timestamp(), dir = process.env.BENCH_RESULTS_DIR || RESULTS_DIR) {
  mkdirSync(dir, { recursive: true });
  return path.join(dir, `${name}-${stamp}.${ext}`);
}

/** Write `data` (with machine info) as pretty JSON and return the file path. */
export function writeResults(name, data, machine, stamp) {
  const file = resultPath(name, 'json', stamp);
  const doc = { suite: name, date: new Date().toISOString(), machine, ...data };
  writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
  return file;
}
