/**
 * Reads opflex-agent configuration directories as the reference agent does with `-c DIR`
 * (cmd/opflex_agent.cpp, Agent::setProperties): every `*.conf` file not starting with "." and not a
 * `reset*`/`reboot*` file, in sorted order, each JSON after dropping lines that begin with `#` or `//`.
 * Later files override `opflex.name` and `opflex.domain`; `opflex.peers` accumulate over all files
 * (the reference inserts them into one set). Other keys (endpoint sources, renderers, TLS) are not read:
 * our agent takes those from its command line.
 *
 * Every problem is one line naming the file (and line, or field).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { formatEndpoint, type Endpoint } from '../transport/transport.ts';
import { InputFileError, readInputFile, type InputFileKind } from '../scenario/input-file.ts';
import { printable } from '../printable.ts';

export const agentConfigFileMaxBytes = 1024 * 1024;
/** Nesting of arrays and objects in one file (the host-agent's files nest 6 deep). */
export const agentConfigDepthMax = 32;
export const agentConfigFilesPerDirMax = 256;
/** Peers over all files. */
export const agentConfigPeersMax = 64;

const AGENT_CONFIG_FILE: InputFileKind = { label: 'agent configuration file', maxBytes: agentConfigFileMaxBytes };

export interface AgentConfig {
  name: string | undefined;
  domain: string | undefined;
  peers: Endpoint[];
  /** The files read, in the order they applied. */
  files: string[];
}

export class AgentConfigError extends Error {
  override readonly name = 'AgentConfigError';
}

/** A name the reference agent reads as configuration (isConfigPath and not isRebootConfigPath). */
export function isAgentConfigFileName(file: string): boolean {
  return file.endsWith('.conf') && !file.startsWith('.') && !isResetFileName(file);
}

/** reset.conf / reboot*.conf: a reset trigger, not configuration. */
export function isResetFileName(file: string): boolean {
  return file.endsWith('.conf') && (file.startsWith('reset') || file.startsWith('reboot'));
}

/** The configuration the directories give, in order; an AgentConfigError names the first bad file. */
export function readAgentConfigDirs(dirs: readonly string[]): AgentConfig {
  const config: AgentConfig = { name: undefined, domain: undefined, peers: [], files: [] };
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir).filter(isAgentConfigFileName).sort();
    } catch (err) {
      throw new AgentConfigError(`${dir}: cannot read the configuration directory: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    if (names.length > agentConfigFilesPerDirMax) {
      throw new AgentConfigError(`${dir}: ${names.length} configuration files; the limit is ${agentConfigFilesPerDirMax}`);
    }
    for (const name of names) applyAgentConfigFile(config, join(dir, name));
  }
  return config;
}

/** Reads one file and applies it over `config`. */
export function applyAgentConfigFile(config: AgentConfig, file: string): void {
  let text: string;
  try {
    text = readInputFile(file, AGENT_CONFIG_FILE);
  } catch (err) {
    throw new AgentConfigError(err instanceof InputFileError ? err.message : `${file}: ${(err as Error).message}`);
  }
  applyAgentConfigText(config, parseAgentConfigText(text, file), file);
  config.files.push(file);
}

/** The file's JSON after the reference's comment filter; depth checked before parsing. */
export function parseAgentConfigText(text: string, file: string): unknown {
  const stripped = text.split('\n').map((line) => (/^\s*(#|\/\/)/.test(line) ? '' : line)).join('\n');
  checkDepth(stripped, file);
  try {
    return JSON.parse(stripped);
  } catch (err) {
    const message = (err as Error).message;
    const at = /at position (\d+)/.exec(message);
    // V8 quotes the text after the token ('Unexpected token '}', "{"a": }" is not valid JSON'): not for a one-line message.
    // The token it quotes may be a newline or a control character: escaped, so the message stays one line.
    const what = printable(message.replace(/, (\.\.\.)?"[\s\S]*$/, '').replace(/ in JSON at position \d+/, '').trim());
    throw new AgentConfigError(at ? `${file}:${lineOf(stripped, Number(at[1]))}: not JSON: ${what}` : `${file}: not JSON: ${what}`);
  }
}

function applyAgentConfigText(config: AgentConfig, data: unknown, file: string): void {
  if (!isObject(data)) throw new AgentConfigError(`${file}: must be a JSON object`);
  const opflex = data.opflex;
  if (opflex !== undefined) {
    if (!isObject(opflex)) throw new AgentConfigError(`${file}: opflex: must be an object`);
    if (opflex.name !== undefined) config.name = nonEmptyString(opflex.name, file, 'opflex.name');
    if (opflex.domain !== undefined) config.domain = nonEmptyString(opflex.domain, file, 'opflex.domain');
    if (opflex.peers !== undefined) {
      if (!Array.isArray(opflex.peers)) throw new AgentConfigError(`${file}: opflex.peers: must be a list of {"hostname", "port"}`);
      opflex.peers.forEach((peer, i) => addPeer(config, peerOf(peer, file, `opflex.peers[${i}]`), file));
    }
  }
}

function addPeer(config: AgentConfig, peer: Endpoint, file: string): void {
  const key = formatEndpoint(peer);
  if (config.peers.some((p) => formatEndpoint(p) === key)) return;
  if (config.peers.length >= agentConfigPeersMax) throw new AgentConfigError(`${file}: opflex.peers: more than ${agentConfigPeersMax} peers`);
  config.peers.push(peer);
}

/** A peer as the reference reads it: hostname a string, port an integer or a string holding one (the template writes "8009"). */
function peerOf(value: unknown, file: string, field: string): Endpoint {
  if (!isObject(value)) throw new AgentConfigError(`${file}: ${field}: must be {"hostname": ..., "port": ...}`);
  const host = nonEmptyString(value.hostname, file, `${field}.hostname`);
  const port = typeof value.port === 'string' && /^\d{1,5}$/.test(value.port) ? Number(value.port) : value.port;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new AgentConfigError(`${file}: ${field}.port: must be a port number (1-65535), got ${JSON.stringify(value.port) ?? 'nothing'}`);
  }
  return { host, port };
}

function nonEmptyString(value: unknown, file: string, field: string): string {
  if (typeof value !== 'string' || value === '') throw new AgentConfigError(`${file}: ${field}: must be a non-empty string`);
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Refuses nesting deeper than agentConfigDepthMax before JSON.parse recurses into it. */
function checkDepth(text: string, file: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > agentConfigDepthMax) throw new AgentConfigError(`${file}:${lineOf(text, i)}: nested more than ${agentConfigDepthMax} levels deep`);
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
}

function lineOf(text: string, position: number): number {
  let line = 1;
  for (let i = 0; i < position && i < text.length; i++) if (text.charCodeAt(i) === 0x0a) line++;
  return line;
}
