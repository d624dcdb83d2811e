/**
 * The mistakes a person makes with the command line, one row each: the exit code (2 for a usage
 * error, 1 for a failure), and stderr with exactly one line naming the problem (a usage error adds
 * one line pointing to --help), never a stack trace. Most rows run `main()` in-process; a few run
 * the real `bin/opflex-twin.mjs`, which also catches what escapes `main()`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from '../support/capture.ts';
import { unusedPort } from '../transport/socket-helpers.ts';

const BIN = fileURLToPath(new URL('../../bin/opflex-twin.mjs', import.meta.url));
const DEFAULT_YAML = readFileSync(new URL('../../src/scenario/builtin/default.yaml', import.meta.url), 'utf8');
const COMMANDS = ['simulate', 'compare', 'advise', 'emulate', 'agent', 'endpoints', 'load', 'generate', 'schema', 'help'];
const USAGE_HINT = /^Run "opflex-twin( \w+)? --help" for usage\.$/;

const dir = mkdtempSync(join(tmpdir(), 'opflex-twin-mistakes-'));
const at = (name: string) => join(dir, name);

/** A variant of the built-in default scenario, written to the temp directory. */
function scenarioFile(name: string, edit: (text: string) => string): string {
  const text = edit(DEFAULT_YAML);
  assert.notEqual(text, DEFAULT_YAML, `${name}: the edit changed nothing`);
  writeFileSync(at(name), text);
  return at(name);
}

interface Mistake {
  /** What the person did wrong, as the report table names it. */
  mistake: string;
  argv: () => string[];
  code: 1 | 2;
  /** The one line naming the problem (after "opflex-twin <command>: "). */
  message: RegExp;
  /** Run through bin/opflex-twin.mjs in a child process instead of main() in-process. */
  spawn?: boolean;
}

// Ports and listeners the rows below need, set up once before them.
let takenControl = 0;
let takenAnycast = 0;
let freePort = 0;
let closedPort = 0;
const blockers: net.Server[] = [];
const table: string[] = [];

async function listenOn(host: string): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, host, resolve));
  blockers.push(server);
  return (server.address() as net.AddressInfo).port;
}

/** emulate on addresses of its own (127.0.9.x), so it cannot meet another test's listeners. */
const emulateOn = (extra: string[]) => ['emulate', '--leaf-base', '127.0.9.1', '--port', String(freePort), '--anycast', `127.0.9.30:${freePort}`, '--control', '127.0.0.1:0', ...extra];

const MISTAKES: Mistake[] = [
  // simulate: scenario files
  { mistake: 'scenario file that does not exist', argv: () => ['simulate', at('missing.yaml')], code: 1, message: /missing\.yaml: scenario file not found$/ },
  { mistake: 'a directory as the scenario', argv: () => ['simulate', dir], code: 1, message: /: is a directory, not a scenario file$/ },
  { mistake: '/dev/zero as the scenario', argv: () => ['simulate', '/dev/zero'], code: 1, message: /^\/dev\/zero: is a character device, not a regular file/, spawn: true },
  { mistake: 'YAML alias cycle in the scenario', argv: () => ['simulate', at('cycle.yaml')], code: 1, message: /cycle\.yaml:\d+:\d+: alias \*c is inside the node &c it refers to \(a cycle\)$/, spawn: true },
  { mistake: 'duplicate key in the scenario', argv: () => ['simulate', at('duplicate.yaml')], code: 1, message: /duplicate\.yaml:\d+:1: YAML syntax error: map keys must be unique: "seed" is already at line 20$/ },
  { mistake: 'YAML syntax error', argv: () => ['simulate', at('syntax.yaml')], code: 1, message: /syntax\.yaml:\d+:\d+: YAML syntax error: / },
  { mistake: 'duration: 1000000h', argv: () => ['simulate', at('long.yaml')], code: 1, message: /long\.yaml:\d+:\d+: duration: duration "1000000h" is longer than the longest accepted, 168h/ },
  { mistake: 'duration: 25h (past the run bound)', argv: () => ['simulate', at('day.yaml')], code: 1, message: /day\.yaml:\d+:\d+: duration: 25h is too long: the longest run accepted is 24h$/ },
  { mistake: 'interval: 0.0001ms', argv: () => ['simulate', at('interval.yaml')], code: 1, message: /interval\.yaml:\d+:\d+: flows\[0\]\.interval: must be at least 1ms$/ },
  { mistake: 'at: 1e15', argv: () => ['simulate', at('at.yaml')], code: 1, message: /at\.yaml:\d+:\d+: migrations\[0\]\.at: duration 1000000000000000 is longer than the longest accepted/ },
  { mistake: 'policyFile: a directory', argv: () => ['simulate', at('policy-dir.yaml')], code: 1, message: /policy-dir\.yaml:\d+:\d+: policy\.policyFile: .*: is a directory, not a policy file$/ },
  { mistake: 'policyFile: not JSON', argv: () => ['simulate', at('policy-text.yaml')], code: 1, message: /not-json\.json: .*not valid JSON/ },
  { mistake: 'unknown built-in scenario', argv: () => ['simulate', '--builtin', 'nope'], code: 1, message: /^built-in:nope: unknown built-in scenario "nope" \(known: default, multipod\)$/ },
  { mistake: 'unknown preset', argv: () => ['simulate', '--preset', 'XXL'], code: 2, message: /^--preset must be one of S, M, L, XL, got "XXL"$/ },
  // simulate: options
  { mistake: '--seed abc', argv: () => ['simulate', '--seed', 'abc'], code: 2, message: /^--seed must be an integer, got "abc"$/ },
  { mistake: '--seed=-1', argv: () => ['simulate', '--seed=-1'], code: 2, message: /^--seed must be at least 0, got -1$/ },
  { mistake: '--seed -1 (a value that looks like an option)', argv: () => ['simulate', '--seed', '-1'], code: 2, message: /^option --seed needs a value \(write one that starts with a dash as --seed=-1\)$/ },
  { mistake: '--seed without a value', argv: () => ['simulate', '--seed'], code: 2, message: /^option --seed needs a value$/ },
  { mistake: '--max-events 0', argv: () => ['simulate', '--max-events', '0'], code: 2, message: /^--max-events must be at least 1, got 0$/ },
  { mistake: 'a run past its event budget', argv: () => ['simulate', '--max-events', '1000'], code: 1, message: /^the run stopped after 1,000 events, its event budget, at .* raise the budget with --max-events$/ },
  { mistake: "--set 'apicFetch=&a [*a]'", argv: () => ['simulate', '--set', 'apicFetch=&a [*a]'], code: 2, message: /^--set: value "&a \[\*a\]": alias \*a is inside the node &a it refers to \(a cycle\)/ },
  { mistake: '--set with an unknown key', argv: () => ['simulate', '--set', 'reconect=true'], code: 2, message: /^--set: Unknown key "reconect"/ },
  { mistake: '--set without =', argv: () => ['simulate', '--set', 'start'], code: 2, message: /^--set: takes KEY=VALUE, got "start"$/ },
  { mistake: '--set start=warm', argv: () => ['simulate', '--set', 'start=warm'], code: 1, message: /\[start="warm"\]:\d+:\d+: start: expected one of "cold", "steady"/ },
  { mistake: '--trace into a missing directory', argv: () => ['simulate', '--trace', at('no-such-dir/trace.ndjson')], code: 1, message: /^--trace .*trace\.ndjson: cannot write: ENOENT$/ },
  { mistake: '--acc-provision /dev/zero', argv: () => ['simulate', '--acc-provision', '/dev/zero'], code: 1, message: /^\/dev\/zero: is a character device, not a regular file: it cannot be read as an acc-provision input file$/ },
  { mistake: '--acc-provision with a wrong type', argv: () => ['simulate', '--acc-provision', at('acc.yaml')], code: 1, message: /acc\.yaml:2:1: kube_config\.enable_opflex_agent_reconnect: must be true or false, got string "yes please"$/ },
  { mistake: 'unknown option', argv: () => ['simulate', '--colour'], code: 2, message: /^unknown option --colour$/ },
  { mistake: 'two scenario files', argv: () => ['simulate', 'a.yaml', 'b.yaml'], code: 2, message: /^too many arguments: b\.yaml/ },
  { mistake: 'a scenario file and --preset', argv: () => ['simulate', 'a.yaml', '--preset', 'S'], code: 2, message: /^give a scenario file or --preset, not both$/ },
  // compare, advise
  { mistake: 'compare without --vary', argv: () => ['compare'], code: 2, message: /^give at least one --vary KEY=V1,V2$/ },
  { mistake: 'compare --vary with an unknown key', argv: () => ['compare', '--vary', 'reconnect=true'], code: 2, message: /^Unknown key "reconnect" \(did you mean settings\.enable_opflex_agent_reconnect/ },
  { mistake: 'compare --vary with a YAML error', argv: () => ['compare', '--vary', 'apicFetch=[1'], code: 2, message: /^value "\[1": YAML syntax error: / },
  { mistake: 'advise --plan that does not exist', argv: () => ['advise', '--plan', at('missing-plan.yaml')], code: 1, message: /missing-plan\.yaml: plan file not found$/ },
  { mistake: 'advise --plan with a key plans do not have', argv: () => ['advise', '--plan', at('plan.yaml')], code: 1, message: /plan\.yaml:1:1: nodes: not a plan key/ },
  { mistake: 'advise --storm-objects 0', argv: () => ['advise', '--storm-objects', '0'], code: 2, message: /^--storm-objects must be at least 1, got 0$/ },
  // emulate
  { mistake: 'emulate --leaf-base 999.1.1.1', argv: () => ['emulate', '--leaf-base', '999.1.1.1'], code: 2, message: /^--leaf-base must be an IPv4 address such as 127\.0\.0\.101, got "999\.1\.1\.1"$/ },
  { mistake: 'emulate --leaf-base with no room for the leaves', argv: () => ['emulate', '--leaf-base', '255.255.255.254'], code: 2, message: /^--leaf-base 255\.255\.255\.254 leaves no room for the scenario's 4 leaf addresses$/ },
  { mistake: 'emulate --port 70000', argv: () => ['emulate', '--port', '70000'], code: 2, message: /^--port must be a port number \(1-65535\), got "70000"$/ },
  { mistake: 'emulate --time-scale abc', argv: () => ['emulate', '--time-scale', 'abc'], code: 2, message: /^--time-scale must be a positive number, got "abc"$/ },
  { mistake: 'emulate --control nonsense', argv: () => ['emulate', '--control', 'nonsense'], code: 2, message: /^--control must be host:port/ },
  { mistake: 'emulate --policy a directory', argv: () => ['emulate', '--policy', dir], code: 1, message: /: is a directory, not a policy file$/ },
  { mistake: 'emulate --policy not JSON', argv: () => ['emulate', '--policy', at('not-json.json')], code: 1, message: /not-json\.json: .*not valid JSON/ },
  { mistake: 'emulate --policy /dev/zero', argv: () => ['emulate', '--policy', '/dev/zero'], code: 1, message: /^\/dev\/zero: is a character device, not a regular file: it cannot be read as a policy file$/ },
  { mistake: 'emulate --tls-key without --tls-cert', argv: () => ['emulate', '--tls-key', at('key.pem')], code: 2, message: /^--tls-key and --tls-cert go together$/ },
  { mistake: 'emulate --tls-key that does not exist', argv: () => ['emulate', '--tls-key', at('key.pem'), '--tls-cert', at('cert.pem')], code: 1, message: /key\.pem: PEM file not found$/ },
  { mistake: 'emulate with its control port taken', argv: () => emulateOn(['--control', `127.0.0.1:${takenControl}`]), code: 1, message: /^the control API cannot listen on 127\.0\.0\.1:\d+: .*address already in use.*; choose another address with --control/ },
  { mistake: 'emulate with its anycast port taken', argv: () => emulateOn(['--anycast', `127.0.9.31:${takenAnycast}`]), code: 1, message: /^Cannot listen on 127\.0\.9\.31:\d+: address already in use \(EADDRINUSE\); choose another address with --anycast$/ },
  // agent
  { mistake: 'agent without --peer', argv: () => ['agent', '--name', 'node-1'], code: 2, message: /^give at least one --peer host:port$/ },
  { mistake: 'agent without --name', argv: () => ['agent', '--peer', '127.0.0.1:8009'], code: 2, message: /^--name is required/ },
  { mistake: 'agent --peer with a bad port', argv: () => ['agent', '--peer', '127.0.0.1:99999', '--name', 'n'], code: 2, message: /^--peer must be host:port/ },
  { mistake: 'agent --time-scale abc', argv: () => ['agent', '--peer', '127.0.0.1:8009', '--name', 'n', '--time-scale', 'abc'], code: 2, message: /^--time-scale must be a positive number, got "abc"$/ },
  { mistake: 'agent --prr 5 (under the agent minimum)', argv: () => ['agent', '--peer', '127.0.0.1:8009', '--name', 'n', '--prr', '5'], code: 2, message: /^--prr must be at least 15s, got 5s$/ },
  { mistake: 'agent --mac that is not a MAC', argv: () => ['agent', '--peer', '127.0.0.1:8009', '--name', 'n', '--mac', 'zz'], code: 2, message: /^--mac must be a MAC address/ },
  { mistake: 'agent --endpoints directory missing', argv: () => ['agent', '--peer', '127.0.0.1:8009', '--name', 'n', '--endpoints', at('no-eps')], code: 2, message: /^--endpoints: .*no-eps: directory not found$/ },
  { mistake: 'agent --ca that does not exist', argv: () => ['agent', '--peer', '127.0.0.1:8009', '--name', 'n', '--ca', at('ca.pem')], code: 1, message: /ca\.pem: PEM file not found$/ },
  // endpoints
  { mistake: 'endpoints without --node and --dir', argv: () => ['endpoints'], code: 2, message: /^--node and --dir are required$/ },
  { mistake: 'endpoints --node that is not in the scenario', argv: () => ['endpoints', '--node', 'node-9', '--dir', at('eps')], code: 2, message: /^--node: unknown node "node-9" \(known: node-1, / },
  { mistake: 'endpoints --dir that is a file', argv: () => ['endpoints', '--node', 'node-1', '--dir', at('not-json.json')], code: 2, message: /^--dir: .*not-json\.json: is not a directory$/ },
  // load
  { mistake: 'load --leaf nonsense', argv: () => ['load', '--leaf', 'nonsense'], code: 2, message: /^--leaf must be host:port .*got "nonsense"$/ },
  { mistake: 'load --seconds abc', argv: () => ['load', '--leaf', '127.0.0.1:8009', '--seconds', 'abc'], code: 2, message: /^--seconds must be a duration such as 30 \(seconds\), "250ms" or "5m", got "abc"$/ },
  { mistake: 'load --mode flood', argv: () => ['load', '--mode', 'flood'], code: 2, message: /^--mode must be one of hold, resolve, storm, got "flood"$/ },
  { mistake: 'load --sessions 0', argv: () => ['load', '--leaf', '127.0.0.1:8009', '--sessions', '0'], code: 2, message: /^--sessions must be at least 1, got 0$/ },
  { mistake: 'load against a leaf nobody listens on', argv: () => ['load', '--leaf', `127.0.0.1:${closedPort}`, '--sessions', '2', '--seconds', '1'], code: 1, message: /^cannot load 127\.0\.0\.1:\d+: ECONNREFUSED$/ },
  // generate, schema, help, the command itself
  { mistake: 'generate --nodes many', argv: () => ['generate', '--nodes', 'many'], code: 2, message: /^--nodes must be an integer, got "many"$/ },
  { mistake: 'generate --nodes=-1', argv: () => ['generate', '--nodes=-1'], code: 2, message: /^--nodes must not be negative, got -1$/ },
  { mistake: 'generate --out into a directory', argv: () => ['generate', '--preset', 'S', '--out', dir], code: 1, message: /: cannot write: / },
  { mistake: 'schema with an argument', argv: () => ['schema', 'extra'], code: 2, message: /^takes no arguments, got extra$/ },
  { mistake: 'help for an unknown command', argv: () => ['help', 'simulat'], code: 2, message: /^unknown command "simulat" \(commands: simulate, / },
  { mistake: 'no command at all', argv: () => [], code: 2, message: /^give a command: simulate, show, compare, / },
  { mistake: 'unknown command', argv: () => ['simulat'], code: 2, message: /^unknown command "simulat" \(commands: simulate, /, spawn: true },
  { mistake: 'an option before the command', argv: () => ['--verbose', 'simulate'], code: 2, message: /^unknown option --verbose before the command/ },
];

function runBin(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], { env: { ...process.env, OPFLEX_TWIN_DEBUG: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function assertNoStack(stderr: string): void {
  assert.doesNotMatch(stderr, /^\s+at .+[:(]/m, `a stack trace on stderr:\n${stderr}`);
  assert.doesNotMatch(stderr, /node:internal|\bError: /, `an error dump on stderr:\n${stderr}`);
}

describe('user mistakes on the command line', { timeout: 180_000 }, () => {
  before(async () => {
    scenarioFile('cycle.yaml', (t) => t.replace(/^controller:\n  node: node-2$/m, 'controller: &c {node: node-2, self: *c}'));
    scenarioFile('duplicate.yaml', (t) => `${t}\nseed: 2\n`);
    scenarioFile('syntax.yaml', (t) => t.replace('nodes:', 'nodes: [unclosed'));
    scenarioFile('long.yaml', (t) => `${t}\nduration: 1000000h\n`);
    scenarioFile('day.yaml', (t) => `${t}\nduration: 25h\n`);
    scenarioFile('interval.yaml', (t) => t.replace('interval: 100ms', 'interval: 0.0001ms'));
    scenarioFile('at.yaml', (t) => t.replace('at: 20s', 'at: 1e15'));
    mkdirSync(at('policy-dir'));
    scenarioFile('policy-dir.yaml', (t) => t.replace(/^policy:\n/m, `policy:\n  policyFile: policy-dir\n`));
    writeFileSync(at('not-json.json'), 'this is not JSON\n');
    scenarioFile('policy-text.yaml', (t) => t.replace(/^policy:\n/m, `policy:\n  policyFile: not-json.json\n`));
    writeFileSync(at('acc.yaml'), 'kube_config:\n  enable_opflex_agent_reconnect: yes please\n');
    writeFileSync(at('plan.yaml'), 'nodes: []\n');
    takenControl = await listenOn('127.0.0.1');
    takenAnycast = await listenOn('127.0.9.31');
    freePort = await unusedPort();
    closedPort = await unusedPort();
  });
  after(async () => {
    // MISTAKES_TABLE=FILE writes what each mistake printed as a Markdown table (for notes and docs).
    const tableFile = process.env.MISTAKES_TABLE;
    if (tableFile) writeFileSync(tableFile, ['| mistake | exit | what it prints |', '|---|---|---|', ...table].join('\n') + '\n');
    for (const server of blockers) await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('covers at least 40 mistakes across every command', () => {
    assert.ok(MISTAKES.length >= 40, `${MISTAKES.length} mistakes`);
    const commands = new Set(MISTAKES.map((m) => m.argv()[0] ?? '(none)'));
    for (const c of [...COMMANDS, '(none)']) assert.ok(commands.has(c), `no mistake for ${c}`);
  });

  for (const m of MISTAKES) {
    it(`${m.mistake}: exit ${m.code}, one line naming it`, { timeout: 60_000 }, async () => {
      const argv = m.argv();
      const { code, stderr } = m.spawn ? await runBin(argv) : await runCli(argv);
      assert.equal(code, m.code, `exit code of ${argv.join(' ')}; stderr:\n${stderr}`);
      assertNoStack(stderr);
      const lines = stderr.replace(/\n$/, '').split('\n');
      assert.equal(lines.length, m.code === 2 ? 2 : 1, `stderr of ${argv.join(' ')} should be ${m.code === 2 ? 'one line and the --help hint' : 'one line'}:\n${stderr}`);
      const prefix = argv[0] !== undefined && COMMANDS.includes(argv[0]) ? `opflex-twin ${argv[0]}: ` : 'opflex-twin: ';
      assert.ok(lines[0]!.startsWith(prefix), `"${lines[0]}" should start with "${prefix}"`);
      assert.match(lines[0]!.slice(prefix.length), m.message);
      if (m.code === 2) assert.match(lines[1]!, USAGE_HINT);
      table.push(`| ${m.mistake} | ${m.code} | \`${lines[0]!.replaceAll(dir, '$TMP').replaceAll('|', '\\|')}\` |`);
    });
  }

  it('prints the stack of a failure with --debug or OPFLEX_TWIN_DEBUG=1, and only then', { timeout: 60_000 }, async () => {
    const withFlag = await runBin(['--debug', 'simulate', at('policy-text.yaml')]);
    assert.equal(withFlag.code, 1);
    assert.match(withFlag.stderr, /^opflex-twin simulate: .*not valid JSON/);
    assert.match(withFlag.stderr, /\n\s+at /);
    const fromEnv = await runBin(['simulate', at('policy-text.yaml')], { OPFLEX_TWIN_DEBUG: '1' });
    assert.match(fromEnv.stderr, /\n\s+at /);
  });

  it('ends quietly when its output is piped into a reader that stops early (EPIPE)', { timeout: 60_000 }, async () => {
    const child = spawn(process.execPath, [BIN, 'schema'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0);
    assert.equal(stderr, '');
  });

  it('documents the exit codes in --help', { timeout: 30_000 }, async () => {
    const main = await runCli(['--help']);
    assert.equal(main.code, 0);
    assert.match(main.stdout, /Exit codes: 0 success, 1 failure \(advise: a risk found\), 2 usage error/);
    const command = await runCli(['emulate', '--help']);
    assert.match(command.stdout, /Exit codes: 0 success/);
  });
});
