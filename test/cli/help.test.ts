/**
 * Help: the command list shows each command's whole summary, `help COMMAND` and `COMMAND --help`
 * print the same full help, and printing the list loads only the command line's own modules, not
 * the simulation (commands load when used).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { COMMANDS } from '../../src/cli/command-index.ts';
import { runCli } from '../support/capture.ts';

const dir = mkdtempSync(join(tmpdir(), 'opflex-twin-help-'));
const SRC = new URL('../../src/', import.meta.url);

/** A module hook that appends every module URL the process resolves to `log`. */
function moduleLogHook(log: string): string {
  const hooks = join(dir, 'log-hooks.mjs');
  writeFileSync(
    hooks,
    `import { appendFileSync } from 'node:fs';\n` +
      `export async function resolve(specifier, context, next) {\n` +
      `  const result = await next(specifier, context);\n` +
      `  appendFileSync(${JSON.stringify(log)}, result.url + '\\n');\n` +
      `  return result;\n` +
      `}\n`,
  );
  const register = join(dir, 'register-log-hooks.mjs');
  writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
  return register;
}

describe('help', { timeout: 60_000 }, () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('lists every command with its whole summary, each further line under the first', async () => {
    const { code, stdout } = await runCli(['--help']);
    assert.equal(code, 0);
    for (const command of COMMANDS) {
      const [first, ...rest] = command.summary.split('\n');
      const at = stdout.indexOf(`  ${command.name} `);
      assert.ok(at >= 0, `${command.name} is listed`);
      const block = stdout.slice(at).split('\n').slice(0, rest.length + 1);
      assert.match(block[0]!, new RegExp(`^  ${command.name} +${first!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
      rest.forEach((line, i) => assert.equal(block[i + 1]!.trim(), line, `${command.name}: summary line ${i + 2}`));
    }
  });

  for (const command of COMMANDS) {
    it(`prints the same full help for "help ${command.name}" and "${command.name} --help"`, async () => {
      const viaHelp = await runCli(['help', command.name]);
      const viaOption = await runCli([command.name, '--help']);
      assert.equal(viaHelp.code, 0);
      assert.equal(viaOption.code, 0);
      assert.equal(viaHelp.stdout, viaOption.stdout);
      assert.ok(viaHelp.stdout.includes(`\n${command.summary}\n`), 'the whole summary');
      assert.match(viaHelp.stdout, new RegExp(`^Usage: opflex-twin ${command.name} `));
      assert.match(viaHelp.stdout, /\nOptions:\n[^]*-h, --help/);
    });
  }

  it('loads no simulation code to print the command list', async () => {
    const log = join(dir, 'modules.log');
    writeFileSync(log, '');
    const child = join(dir, 'print-help.mjs');
    writeFileSync(child, `const { main } = await import(${JSON.stringify(new URL('cli/main.ts', SRC).href)});\nprocess.exitCode = await main(['--help']);\n`);
    // Registered after tsx, the log hook runs first and sees each module tsx resolves.
    await promisify(execFile)(process.execPath, ['--import', 'tsx', '--import', moduleLogHook(log), child], { timeout: 60_000 });
    const loaded = readFileSync(log, 'utf8')
      .split('\n')
      .filter((url) => url.startsWith(SRC.href))
      .map((url) => url.slice(SRC.href.length));
    assert.ok(loaded.includes('cli/main.ts'), `the log saw the CLI load: ${loaded.join(', ')}`);
    const simulation = loaded.filter((path) => /^(kernel|model|opflex|transport|fabric|host|live|report|check)\/|^simulation\.ts$|^scenario\/(loader|schema|presets)\.ts$|^cli\/(simulate|check|emulate|error-lines)\.ts$/.test(path));
    assert.deepEqual(simulation, []);
    const packages = readFileSync(log, 'utf8').split('\n').filter((url) => /\/node_modules\/(yaml|zod|uplot)\//.test(url));
    assert.deepEqual(packages, []);
  });
});
