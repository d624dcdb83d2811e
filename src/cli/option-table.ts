/**
 * A command's options, declared once as a table: the parser's configuration, the typed values a
 * command reads (a mapped type: `options.seed` is a number, a repeatable option a string[], an option
 * without a default may be undefined) and the help text all come from it.
 */
import type { Endpoint } from '../transport/transport.ts';
import {
  choiceOption,
  durationOption,
  endpointOption,
  integerOption,
  ipv4Option,
  portOption,
  positiveNumberOption,
  textOption,
} from './option-values.ts';

interface OptionBase {
  short?: string;
  /** Shown in help as `--name <value>`. */
  value?: string;
  /** One line of help (a command's table may add the default in its own words). */
  help: string;
}

/** A default is written as a person would type it on the command line; help shows it as written. */
interface WithDefault {
  default?: string;
}

/** Present or absent, never with a value. */
interface FlagOption extends OptionBase { kind: 'flag' }
/** Text as given (a path, a KEY=VALUE). */
interface StringOption extends OptionBase, WithDefault { kind: 'string' }
/** Text that must not be empty (a name, a domain). */
interface TextOption extends OptionBase, WithDefault { kind: 'text' }
/** Given any number of times, in order. */
interface RepeatableOption extends OptionBase { kind: 'repeatable' }
export interface IntegerOption extends OptionBase, WithDefault { kind: 'integer'; min?: number; max?: number }
/** A number greater than zero (a rate, a scale). */
export interface PositiveOption extends OptionBase, WithDefault { kind: 'positive'; max?: number }
/** Milliseconds, from "250ms", "5m" or a bare number of seconds. */
interface DurationOption extends OptionBase, WithDefault { kind: 'duration'; minMs?: number; maxMs?: number }
/** A TCP port; `allowAny` admits 0 (the system picks one). */
interface PortOption extends OptionBase, WithDefault { kind: 'port'; allowAny?: boolean }
interface Ipv4Option extends OptionBase, WithDefault { kind: 'ipv4' }
/** host:port; `allowAny` admits port 0. */
interface EndpointOption extends OptionBase, WithDefault { kind: 'endpoint'; allowAny?: boolean }
/** host:port, given any number of times. */
interface EndpointsOption extends OptionBase { kind: 'endpoints' }
interface ChoiceOption extends OptionBase, WithDefault { kind: 'choice'; choices: readonly string[] }

type OptionSpec =
  | FlagOption
  | StringOption
  | TextOption
  | RepeatableOption
  | IntegerOption
  | PositiveOption
  | DurationOption
  | PortOption
  | Ipv4Option
  | EndpointOption
  | EndpointsOption
  | ChoiceOption;

export type OptionTable = Readonly<Record<string, OptionSpec>>;

/** The value one kind of option parses to. */
type KindValue<S extends OptionSpec> = S extends FlagOption
  ? boolean
  : S extends RepeatableOption
    ? string[]
    : S extends EndpointsOption
      ? Endpoint[]
      : S extends IntegerOption | PositiveOption | DurationOption | PortOption
        ? number
        : S extends EndpointOption
          ? Endpoint
          : S extends { kind: 'choice'; choices: readonly (infer Choice)[] }
            ? Choice
            : string;

/** Flags and lists always have a value (false, []); any other option only when given or defaulted. */
type OptionValue<S extends OptionSpec> = S extends FlagOption | RepeatableOption | EndpointsOption
  ? KindValue<S>
  : S extends { default: string }
    ? KindValue<S>
    : KindValue<S> | undefined;

export type OptionValues<T extends OptionTable> = { -readonly [K in keyof T]: OptionValue<T[K]> };

/** What node's parseArgs gives for one option. */
type GivenValue = string | boolean | (string | boolean)[] | undefined;

/** The configuration node's parseArgs needs for the table. */
export function parserOptions(table: OptionTable): Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const [name, spec] of Object.entries(table)) {
    const multiple = spec.kind === 'repeatable' || spec.kind === 'endpoints';
    options[name] = { type: spec.kind === 'flag' ? 'boolean' : 'string', ...(spec.short ? { short: spec.short } : {}), ...(multiple ? { multiple: true } : {}) };
  }
  return options;
}

/**
 * The typed values of every option in the table, in the order they were given (then the rest): a bad
 * value is a UsageError naming its option.
 */
export function optionValues<T extends OptionTable>(table: T, given: Readonly<Record<string, GivenValue>>): OptionValues<T> {
  const order = [...Object.keys(given).filter((name) => name in table), ...Object.keys(table).filter((name) => !(name in given))];
  const values: Record<string, unknown> = {};
  for (const name of order) {
    const spec = table[name];
    if (spec !== undefined) values[name] = optionValue(name, spec, given[name]);
  }
  // Built key by key from the same table, so each value has the type OptionValue gives its spec.
  return values as OptionValues<T>;
}

function optionValue(name: string, spec: OptionSpec, given: GivenValue): unknown {
  const list = Array.isArray(given) ? given.filter((value) => typeof value === 'string') : [];
  switch (spec.kind) {
    case 'flag':
      return given === true;
    case 'repeatable':
      return list;
    case 'endpoints':
      return list.map((text) => endpointOption(text, name));
  }
  const text = typeof given === 'string' ? given : spec.default;
  if (text === undefined) return undefined;
  switch (spec.kind) {
    case 'string':
      return text;
    case 'text':
      return textOption(text, name);
    case 'integer':
      return integerOption(text, name, { min: spec.min, max: spec.max });
    case 'positive':
      return positiveNumberOption(text, name, spec.max);
    case 'duration':
      return durationOption(text, name, { minMs: spec.minMs, maxMs: spec.maxMs });
    case 'port':
      return portOption(text, name, spec.allowAny);
    case 'ipv4':
      return ipv4Option(text, name);
    case 'endpoint':
      return endpointOption(text, name, spec.allowAny);
    case 'choice':
      return choiceOption(text, name, spec.choices);
  }
}

/** Help rows: `-o, --out <file>` and its line of help (with the default when there is one). */
export function optionHelpRows(table: OptionTable): [left: string, right: string][] {
  return Object.entries(table).map(([name, spec]) => [
    `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.kind === 'flag' ? '' : ` <${spec.value ?? 'value'}>`}`,
    spec.help + (spec.kind !== 'flag' && 'default' in spec && spec.default !== undefined ? ` (default: ${spec.default})` : ''),
  ]);
}
