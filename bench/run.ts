/**
 * `npm run bench [-- --quick] [-- --json] [-- --only NAME[,NAME]]`
 *
 * Runs the suites listed in bench/suites.ts and prints one table (or one JSON document). The runner
 * is generic: each suite returns rows of named fields and declares how its columns look
 * (bench/suite.ts); rows are printed group by group, each group with the columns it uses.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { SuiteFailure, type BenchColumn, type BenchRow, type BenchSuite, type BenchValue } from './suite.ts';
import { suites } from './suites.ts';

interface Args {
  json: boolean;
  quick: boolean;
  only: string[] | undefined;
}

const USAGE = `usage: npm run bench -- [--quick] [--json] [--only NAME[,NAME]]
  --quick       smaller sizes, fewer repetitions (smoke run)
  --json        print one JSON document instead of the table
  --only NAMES  run only these suites (comma-separated)
suites: ${suites.map((s) => s.name).join(', ')}`;

function parseArgs(argv: string[]): Args {
  const args: Args = { json: false, quick: false, only: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json') args.json = true;
    else if (a === '--quick') args.quick = true;
    else if (a === '--only' || a.startsWith('--only=')) {
      const value = a === '--only' ? argv[++i] : a.slice('--only='.length);
      if (!value) fail('--only needs a suite name');
      args.only = [...(args.only ?? []), ...value.split(',').map((s) => s.trim()).filter(Boolean)];
    } else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else fail(`unknown argument: ${a}`);
  }
  return args;
}

function fail(message: string): never {
  console.error(`bench: ${message}\n${USAGE}`);
  process.exit(2);
}

interface Machine {
  cpu: string;
  cores: number;
  node: string;
  platform: string;
  memoryGiB: number;
  loadAverage: number[];
}

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => /^model name\s*:/.test(l));
    if (line) return line.slice(line.indexOf(':') + 1).trim();
  } catch {
    // not Linux
  }
  return os.cpus()[0]?.model.trim() || 'unknown CPU';
}

function machine(): Machine {
  return {
    cpu: cpuModel(),
    cores: os.availableParallelism(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

interface SuiteResult {
  name: string;
  description: string;
  columns: readonly BenchColumn[];
  rows: BenchRow[];
  seconds: number;
  error?: string;
}

// ---- table ----

function formatValue(value: BenchValue | undefined, column: BenchColumn | undefined): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return String(value);
    const v = value * (column?.scale ?? 1);
    const digits = column?.digits ?? (Number.isInteger(v) ? 0 : 2);
    const text = v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
    return text + (column?.suffix ?? '');
  }
  return String(value);
}

interface Cell {
  text: string;
  right: boolean;
}

/** The columns a group uses: declared ones first (in order), then any undeclared field. */
function groupColumns(declared: readonly BenchColumn[], rows: BenchRow[]): BenchColumn[] {
  const used = (key: string) => rows.some((r) => r.fields[key] !== undefined && r.fields[key] !== null);
  const cols = declared.filter((c) => c.table !== false && used(c.key));
  const known = new Set(declared.map((c) => c.key));
  for (const row of rows) {
    for (const key of Object.keys(row.fields)) {
      if (!known.has(key) && used(key)) {
        known.add(key);
        cols.push({ key, header: key });
      }
    }
  }
  return cols;
}

function renderTable(results: SuiteResult[], header: string[]): string {
  const out: string[] = [...header];
  const gap = '  ';
  for (const result of results) {
    const groups = new Map<string, BenchRow[]>();
    for (const row of result.rows) {
      const g = row.group ?? result.name;
      if (!groups.has(g)) groups.set(g, []);
      groups.get(g)!.push(row);
    }
    if (result.error) groups.set('error', [{ fields: {}, note: result.error }]);
    if (groups.size === 0) groups.set(result.name, [{ fields: {}, note: 'no rows' }]);

    for (const [group, rows] of groups) {
      const cols = groupColumns(result.columns, rows);
      const headers: Cell[] = cols.map((c) => ({ text: c.unit ? `${c.header} (${c.unit})` : c.header, right: false }));
      const body: Cell[][] = rows.map((row) =>
        cols.map((c) => {
          const v = row.fields[c.key];
          const right = c.align ? c.align === 'right' : typeof v === 'number';
          return { text: formatValue(v, c), right };
        }),
      );
      for (let i = 0; i < cols.length; i++) {
        const c = cols[i]!;
        const numeric = c.align ? c.align === 'right' : rows.some((r) => typeof r.fields[c.key] === 'number');
        headers[i]!.right = numeric;
      }
      const hasNote = rows.some((r) => r.note);
      if (hasNote) {
        headers.push({ text: 'note', right: false });
        body.forEach((cells, i) => cells.push({ text: rows[i]!.note ?? '', right: false }));
      }
      const widths = headers.map((h, i) => Math.max(h.text.length, ...body.map((cells) => cells[i]!.text.length)));
      const line = (cells: Cell[]) =>
        cells
          .map((c, i) => (c.right ? c.text.padStart(widths[i]!) : c.text.padEnd(widths[i]!)))
          .join(gap)
          .trimEnd();
      const title = group === result.name ? result.name : `${result.name} / ${group}`;
      const rule = widths.map((w) => '-'.repeat(w)).join(gap);
      out.push('');
      out.push(`== ${title}: ${result.description} (${result.seconds.toFixed(1)} s)`);
      out.push(line(headers));
      out.push(rule);
      for (const cells of body) out.push(line(cells));
    }
  }
  return out.join('\n');
}

// ---- main ----

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  let selected: readonly BenchSuite[] = suites;
  if (args.only) {
    const unknown = args.only.filter((n) => !suites.some((s) => s.name === n));
    if (unknown.length > 0) fail(`unknown suite(s): ${unknown.join(', ')}`);
    selected = suites.filter((s) => args.only!.includes(s.name));
  }

  const m = machine();
  const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
  const results: SuiteResult[] = [];
  for (const suite of selected) {
    log(`suite ${suite.name}${args.quick ? ' (quick)' : ''}`);
    const t0 = performance.now();
    const result: SuiteResult = { name: suite.name, description: suite.description, columns: suite.columns ?? [], rows: [], seconds: 0 };
    try {
      result.rows = await suite.run({ quick: args.quick, log });
    } catch (err) {
      if (err instanceof SuiteFailure) result.rows = err.rows;
      result.error = err instanceof Error ? (err.stack ?? err.message) : String(err);
      log(`suite ${suite.name} failed: ${result.error}`);
      result.error = result.error.split('\n')[0]!;
    }
    result.seconds = (performance.now() - t0) / 1000;
    results.push(result);
  }

  if (args.json) {
    const doc = {
      machine: m,
      mode: args.quick ? 'quick' : 'full',
      date: new Date().toISOString(),
      suites: results.map((r) => ({
        name: r.name,
        description: r.description,
        seconds: Math.round(r.seconds * 1000) / 1000,
        ...(r.error ? { error: r.error } : {}),
        rows: r.rows.map((row) => ({ group: row.group ?? r.name, ...row.fields, ...(row.note ? { note: row.note } : {}) })),
      })),
    };
    process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  } else {
    const header = [
      `opflex-twin benchmarks (${args.quick ? 'quick smoke run: not a measurement' : 'full'})`,
      `machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.platform}, Node ${m.node}, load average ${m.loadAverage.join(' ')}`,
    ];
    process.stdout.write(`${renderTable(results, header)}\n`);
  }
  if (results.some((r) => r.error)) process.exitCode = 1;
}

await main();
