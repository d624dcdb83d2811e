/**
 * Emulators for tests: each test file gives its leaves and anycast proxy loopback addresses of its
 * own, on a random OpFlex port, and the control API an ephemeral port, so files running at the same
 * time do not meet.
 */
import { Emulator, type EmulatorOptions } from '../../src/live/emulator.ts';

/** A random OpFlex port for one test file's emulator. */
export function testPort(): number {
  return 20_000 + Math.floor(Math.random() * 20_000);
}

type TestEmulatorOptions = Omit<EmulatorOptions, 'anycast' | 'control'> & { anycastHost: string };

/** Leaves from `leafBase` and the anycast proxy at `anycastHost`, all on `port`; control API on 127.0.0.1, port 0. */
export function testEmulator({ anycastHost, ...options }: TestEmulatorOptions): Emulator {
  return new Emulator({ ...options, anycast: { host: anycastHost, port: options.port }, control: { host: '127.0.0.1', port: 0 } });
}
