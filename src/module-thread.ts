/**
 * Starts a worker thread on one of our modules, from the sources (under tsx) or from dist/ alike.
 * Compiled, the module's .js sits where its .ts was. From the sources, the thread's first code
 * registers tsx's loader (a worker does not inherit loader hooks on Node 20), then imports the .ts;
 * tsx is resolved only then, as the installed package does not ship it.
 */
import { Worker } from 'node:worker_threads';

/** `moduleUrl` is the module's .ts URL (`new URL('./x-worker.ts', import.meta.url)`). */
export function startModuleThread(moduleUrl: URL, workerData: unknown): Worker {
  const fromSources = import.meta.url.endsWith('.ts');
  if (!fromSources) return new Worker(new URL(moduleUrl.href.replace(/\.ts$/, '.js')), { workerData });
  const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})` + `.then((tsx) => { tsx.register(); return import(${JSON.stringify(moduleUrl.href)}); });`;
  return new Worker(boot, { eval: true, workerData });
}
