/**
 * The contract between bench/run.ts and a benchmark suite. A suite is a module exporting a
 * `BenchSuite`; list it in bench/suites.ts and the runner picks it up (`--only NAME` selects it).
 *
 * A suite returns rows of named fields. The runner knows nothing about any particular suite: it
 * renders each group of rows with the columns that group uses, in the order the suite's `columns`
 * declares (undeclared fields are appended, headed by their key), and emits the raw values with
 * `--json`. Keep raw units in the fields (events/s, bytes, ms) and let `columns` scale them for the
 * table, so JSON consumers get unscaled numbers.
 */

export type BenchValue = number | string | boolean | null;

export interface BenchRow {
  /** Rows with the same group are printed together under one header (default: the suite name). */
  group?: string;
  /** Named values; a missing or null field prints as blank. */
  fields: Record<string, BenchValue>;
  /** Free text shown in the last column (e.g. "g++ not found", "target met"). */
  note?: string;
}

export interface BenchColumn {
  /** Field name in `BenchRow.fields`. */
  key: string;
  /** Column title. */
  header: string;
  /** Unit shown in the header after the title, e.g. "M events/s". */
  unit?: string;
  /** Table value = raw value * scale (default 1). JSON always carries the raw value. */
  scale?: number;
  /** Fraction digits for numbers (default 0: integers with thousands separators). */
  digits?: number;
  /** Appended to formatted numbers, e.g. "x" for ratios. */
  suffix?: string;
  /** Default: numbers right-aligned, strings left-aligned. */
  align?: 'left' | 'right';
  /** false: in JSON only, never in the table. */
  table?: boolean;
}

export interface BenchOptions {
  /** Smaller sizes and fewer repetitions: a smoke run, not a measurement. */
  quick: boolean;
  /** Progress messages; go to stderr so `--json` output stays clean. */
  log: (message: string) => void;
}

export interface BenchSuite {
  name: string;
  description: string;
  columns?: readonly BenchColumn[];
  run(options: BenchOptions): Promise<BenchRow[]>;
}

/** A suite that failed part-way: the rows it measured before the failure are still printed, beside the error. */
export class SuiteFailure extends Error {
  constructor(
    cause: unknown,
    readonly rows: BenchRow[],
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    if (cause instanceof Error && cause.stack) this.stack = cause.stack;
  }
}
