// Where the project's code runs from: dist/ (built by `npm install` in a checkout, shipped in the
// package) when it is current, else the sources through tsx, so nothing ever runs stale code. The
// CLI and the benchmarks' child processes load the model through it, so a benchmark measures the
// code a user runs.
import { readdirSync, statSync } from 'node:fs';

function modifiedMs(url) {
  try {
    return statSync(url).mtimeMs;
  } catch {
    return undefined;
  }
}

/** dist/ was built after the last change to src/ (an installed package has no src/). */
function compiledIsCurrent() {
  const built = modifiedMs(new URL('../dist/build-stamp', import.meta.url));
  if (built === undefined) return false;
  const src = new URL('../src/', import.meta.url);
  if (modifiedMs(src) === undefined) return true;
  return readdirSync(src, { recursive: true }).every((name) => (modifiedMs(new URL(name, src)) ?? 0) <= built);
}

let current;
let sourcesRegistered = false;

/** The module at `path` (under src/, no extension): compiled from dist/ when current, else the source through tsx. */
export async function importCurrent(path) {
  if (currentCode() === 'dist') return import(new URL(`../dist/${path}.js`, import.meta.url).href);
  if (!sourcesRegistered) {
    const { register } = await import('tsx/esm/api');
    register();
    sourcesRegistered = true;
  }
  return import(new URL(`../src/${path}.ts`, import.meta.url).href);
}

/** Which code importCurrent loads: "dist" or "src" (through tsx). */
export function currentCode() {
  current ??= compiledIsCurrent() ? 'dist' : 'src';
  return current;
}
