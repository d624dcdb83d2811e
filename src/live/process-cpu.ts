/**
 * CPU time another process on this machine has used so far, from Linux's /proc/<pid>/schedstat
 * (nanoseconds on a CPU). The load client reads the server's before and after its timed window, so
 * the cost per reply is known however loaded the machine is.
 */
import { readFileSync } from 'node:fs';

/** Milliseconds of CPU `pid` has run; throws a one-line Error naming the pid when it cannot be read. */
export function processCpuMs(pid: number): number {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/schedstat`, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the CPU time of process ${pid} (/proc/${pid}/schedstat): ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const ns = Number(text.split(' ')[0]);
  if (!Number.isFinite(ns)) throw new Error(`cannot read the CPU time of process ${pid}: /proc/${pid}/schedstat holds "${text.trim()}"`);
  return ns / 1e6;
}
