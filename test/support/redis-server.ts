/**
 * A redis-server of the test's own on a free loopback port, with nothing saved to disk. It is killed
 * when the test stops it and, whatever happens, when the test process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { unusedPort, waitFor } from '../transport/socket-helpers.ts';

/** A redis-server needs well under a second to start; this is for a loaded machine. */
const redisStartMs = 20_000;

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export class RedisServer {
  private child: ChildProcess | undefined;
  private output = '';

  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<RedisServer> {
    const server = new RedisServer(await unusedPort());
    await server.restart();
    return server;
  }

  /** Starts (again, after kill()) on the same port. */
  async restart(): Promise<void> {
    this.output = '';
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    running.add(child);
    let exited = false;
    child.on('exit', () => {
      exited = true;
      running.delete(child);
    });
    child.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
    await waitFor(() => /Ready to accept connections/.test(this.output) || exited, `redis-server on port ${this.port}`, redisStartMs);
    if (exited) throw new Error(`redis-server on port ${this.port} exited at start: ${this.output.trim().split('\n').at(-1)}`);
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}
