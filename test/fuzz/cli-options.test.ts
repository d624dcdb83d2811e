/**
 * Seeded fuzzing of every command's option parsing: any command line, hostile values included, either
 * parses (to --help or to a run with typed values) or is a UsageError that prints as one line. No other
 * error escapes, and nothing hangs. The runs themselves are not started (they simulate or listen).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { COMMANDS } from '../../src/cli/command-index.ts';
import { oneLine } from '../../src/cli/error-lines.ts';
import { UsageError } from '../../src/cli/usage-error.ts';
import { fuzzParameters, hostileString } from '../support/fuzz.ts';

/** Command lines tried per command at FUZZ_SCALE=1. */
const linesPerCommand = 300;

/** Values that sit on a kind's edges: numbers out of range or not numbers, bad addresses, durations. */
const edgyValue = fc.constantFrom('0', '-1', '1e309', '99999999999999999999', '0x10', ' 7 ', '1.5', '', '-', '--', '127.0.0.1:0', 'host:65536', '256.1.1.1', '5m', '250ms', '2h', '1e3s', 'NaN', 'hold', 'chrome');

describe('command-line options under fuzzing', { timeout: 120_000 }, () => {
  for (const entry of COMMANDS) {
    it(`${entry.name}: every command line parses or is one UsageError line`, async (t) => {
      const command = await entry.load();
      const names = Object.keys(command.options);
      const option = names.length > 0 ? fc.constantFrom(...names) : fc.constant('no-such-option');
      const token = fc.oneof(
        option.map((name) => `--${name}`),
        fc.tuple(option, fc.oneof(edgyValue, hostileString(24))).map(([name, value]) => `--${name}=${value}`),
        edgyValue,
        hostileString(24),
        fc.constantFrom('-h', '--help', '-o', '-v', '--', '---', '-'),
      );
      let tried = 0;
      let usageErrors = 0;
      fc.assert(
        fc.property(fc.array(token, { maxLength: 8 }), (argv) => {
          tried++;
          try {
            const invocation = command.parse(argv);
            if (!invocation.help) assert.equal(typeof invocation.run, 'function');
          } catch (err) {
            assert.ok(err instanceof UsageError, `${entry.name} ${JSON.stringify(argv)}: ${String(err)}`);
            usageErrors++;
            assert.doesNotMatch(oneLine(err.message), /[\n\r]/);
          }
        }),
        fuzzParameters(linesPerCommand),
      );
      t.diagnostic(`${entry.name}: ${tried} command lines tried, ${usageErrors} usage errors`);
      assert.ok(tried > 0);
      // The line generator must reach both outcomes, or the property proves little.
      assert.ok(usageErrors > 0 && usageErrors < tried, `${entry.name}: ${usageErrors} usage errors in ${tried} lines`);
    });
  }
});
