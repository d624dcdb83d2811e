/**
 * A redis-server of the test's own on a free loopback port, with nothing saved to disk unless it is to
 * survive a restart. It is killed when the test stops it and, whatever happens, when the test process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  /** With `persistent`, every write goes to an append-only file in a temporary directory first. */
  private constructor(readonly port: number, private readonly dataDir: string | undefined) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(options: { persistent?: boolean } = {}): Promise<RedisServer> {
    const server = new RedisServer(await unusedPort(), options.persistent ? mkdtempSync(join(tmpdir(), 'opflex-twin-redis-')) : undefined);
    await server.restart();
    return server;
  }

  /** Starts (again, after stop() or kill()) on the same port. */
  async restart(): Promise<void> {
    this.output = '';
    const persistence = this.dataDir ? ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', this.dataDir] : ['--appendonly', 'no'];
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', ...persistence, '--daemonize', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
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

  /** A shutdown as a restarting pod has it (SIGTERM); then restart() brings the data back. */
  stop(): Promise<void> {
    return this.end('SIGTERM');
  }

  /** Kills the server and removes its data. */
  async kill(): Promise<void> {
    await this.end('SIGKILL');
    if (this.dataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }

  private async end(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }
}
