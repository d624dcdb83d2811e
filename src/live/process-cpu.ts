/**
 * CPU time another process on this machine has used so far: the sum over its threads of Linux's
 * /proc/<pid>/task/<tid>/schedstat (nanoseconds on a CPU). The load client reads the server's before
 * and after its timed window, so the cost per reply is known however loaded the machine is. Every
 * thread counts: a C++ server serves from its I/O threads, and Node's GC works on helper threads.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Milliseconds of CPU `pid` has run; throws a one-line Error naming the pid when it cannot be read. */
export function processCpuMs(pid: number): number {
  const dir = `/proc/${pid}/task`;
  let threads: string[];
  try {
    threads = readdirSync(dir);
  } catch (err) {
    throw new Error(`cannot read the CPU time of process ${pid} (${dir}): ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let ns = 0;
  for (const tid of threads) {
    let text: string;
    try {
      text = readFileSync(`${dir}/${tid}/schedstat`, 'utf8');
    } catch {
      continue; // the thread ended between the listing and the read
    }
    const threadNs = Number(text.split(' ')[0]);
    if (!Number.isFinite(threadNs)) throw new Error(`cannot read the CPU time of process ${pid}: ${dir}/${tid}/schedstat holds "${text.trim()}"`);
    ns += threadNs;
  }
  return ns / 1e6;
}

