/**
 * A command's option table: the values a command reads are typed and parsed from it, and its help
 * comes from the same rows, so the two cannot drift apart.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commandHelp, defineCommand, type CommandArgs } from '../../src/cli/command.ts';
import { UsageError } from '../../src/cli/usage-error.ts';

const table = {
  seed: { kind: 'integer', min: 0, value: 'n', help: 'Root seed' },
  rounds: { kind: 'integer', min: 1, value: 'n', help: 'Rounds', default: '3' },
  json: { kind: 'flag', help: 'Print JSON' },
  set: { kind: 'repeatable', value: 'KEY=VALUE', help: 'Change one key' },
  mode: { kind: 'choice', choices: ['hold', 'resolve'], value: 'mode', help: 'What to do', default: 'resolve' },
  wait: { kind: 'duration', maxMs: 60_000, value: 's', help: 'How long to wait' },
  peer: { kind: 'endpoints', value: 'host:port', help: 'A peer, repeatable' },
  out: { kind: 'string', short: 'o', value: 'file', help: 'Where to write' },
} as const;

/** Parses argv with the table and returns what the command's run received. */
function parse(argv: string[]): CommandArgs<typeof table> | 'help' {
  let received: CommandArgs<typeof table> | undefined;
  const command = defineCommand({
    name: 'demo', summary: 'A demo command.', positionals: '[file]', maxPositionals: 1, options: table,
    run(args) {
      received = args;
      return 0;
    },
  });
  const invocation = command.parse(argv);
  if (invocation.help) return 'help';
  invocation.run({ stdout: process.stdout, stderr: process.stderr });
  assert.ok(received, 'the command ran');
  return received;
}

function parsed(argv: string[]): CommandArgs<typeof table> {
  const result = parse(argv);
  assert.notEqual(result, 'help');
  if (result === 'help') throw new Error('unreachable');
  return result;
}

describe('option table', { timeout: 10_000 }, () => {
  it('gives each option its typed value: defaults applied, flags false and lists empty when absent', () => {
    const { positionals, options } = parsed(['scenario.yaml']);
    assert.deepEqual(positionals, ['scenario.yaml']);
    assert.deepEqual({ ...options }, { seed: undefined, rounds: 3, json: false, set: [], mode: 'resolve', wait: undefined, peer: [], out: undefined });
    // The types say the same: these assignments only compile because the table makes them so.
    const seed: number | undefined = options.seed;
    const rounds: number = options.rounds;
    const mode: 'hold' | 'resolve' = options.mode;
    const sets: string[] = options.set;
    assert.deepEqual([seed, rounds, mode, sets], [undefined, 3, 'resolve', []]);
  });

  it('parses what is given: integers, durations in milliseconds, endpoints, repeated options in order', () => {
    const { options } = parsed(['--seed', '7', '--wait', '250ms', '--peer', '127.0.0.30:8009', '--peer', 'leaf1:8009', '--set', 'a=1', '--set', 'b=2', '--json', '-o', 'x.html']);
    assert.equal(options.seed, 7);
    assert.equal(options.wait, 250);
    assert.deepEqual(options.peer, [{ host: '127.0.0.30', port: 8009 }, { host: 'leaf1', port: 8009 }]);
    assert.deepEqual(options.set, ['a=1', 'b=2']);
    assert.equal(options.json, true);
    assert.equal(options.out, 'x.html');
  });

  it('lists the options in the order they were given, then the rest', () => {
    const { options } = parsed(['--out', 'f', '--seed', '1']);
    assert.deepEqual(Object.keys(options).slice(0, 2), ['out', 'seed']);
  });

  it('names the option whose value is wrong, with the bound it breaks', () => {
    assert.throws(() => parse(['--seed', 'x']), new UsageError('--seed must be an integer, got "x"'));
    assert.throws(() => parse(['--rounds', '0']), new UsageError('--rounds must be at least 1, got 0'));
    assert.throws(() => parse(['--mode', 'flood']), new UsageError('--mode must be one of hold, resolve, got "flood"'));
    assert.throws(() => parse(['--wait', '2m']), new UsageError('--wait must be at most 60s, got 120s'));
    assert.throws(() => parse(['--peer', 'nowhere']), /^UsageError: --peer must be host:port/);
    assert.throws(() => parse(['--json=yes']), new UsageError('option --json takes no value'));
    assert.throws(() => parse(['a', 'b']), new UsageError('too many arguments: b (usage: opflex-twin demo [file])'));
  });

  it('answers --help before looking at the values', () => {
    assert.equal(parse(['--seed', 'x', '--help']), 'help');
  });

  it('draws the help from the same rows: value names, defaults, the short form', () => {
    const help = commandHelp(defineCommand({ name: 'demo', summary: 'A demo command.', positionals: '[file]', maxPositionals: 1, options: table, run: () => 0 }));
    assert.match(help, /^Usage: opflex-twin demo \[file\] \[options\]\n\nA demo command\.\n\nOptions:\n/);
    assert.match(help, /\n {6}--seed <n> +Root seed\n/);
    assert.match(help, /\n {6}--rounds <n> +Rounds \(default: 3\)\n/);
    assert.match(help, /\n {6}--json +Print JSON\n/);
    assert.match(help, /\n {2}-o, --out <file> +Where to write\n/);
    assert.match(help, /\n {2}-h, --help +Show this help\n/);
  });
});
