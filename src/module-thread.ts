/**
 * Starts a worker thread on a sibling module given by its .ts URL, from the sources or from dist/.
 * Compiled (dist/), the thread loads the .js file beside this one's. From the sources, its first code
 * registers tsx's loader (a worker does not inherit loader hooks on Node 20), then imports the .ts
 * module; tsx is resolved only then, as the installed package does not ship it.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

const fromSources = import.meta.url.endsWith('.ts');

export function startModuleThread(moduleTsUrl: URL, options: WorkerOptions = {}): Worker {
  if (!moduleTsUrl.pathname.endsWith('.ts')) throw new TypeError(`startModuleThread takes a .ts module URL, got ${moduleTsUrl.href}`);
  if (!fromSources) return new Worker(new URL(moduleTsUrl.href.replace(/\.ts$/, '.js')), options);
  const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})` + `.then((tsx) => { tsx.register(); return import(${JSON.stringify(moduleTsUrl.href)}); });`;
  return new Worker(boot, { ...options, eval: true });
}
