/**
 * Reading a request body as JSON within bounds: its size while it arrives, its nesting depth before
 * any parser recurses into it, then a lossless parse (integers past 2^53 stay exact, as in policy files).
 */
import type { IncomingMessage } from 'node:http';
import { parseJson, type JsonValue } from '../opflex/lossless-json.ts';
import { HttpError } from './http-error.ts';
import { errorMessage } from '../error-details.ts';

interface JsonBodyLimits {
  bodyBytesMax: number;
  bodyDepthMax: number;
}

export async function readJsonBody(req: IncomingMessage, limits: JsonBodyLimits): Promise<JsonValue> {
  const tooLarge = () => new HttpError(413, `Body larger than ${limits.bodyBytesMax} bytes`);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limits.bodyBytesMax) throw tooLarge();
  const chunks = await readBounded(req, limits.bodyBytesMax);
  if (chunks === undefined) throw tooLarge();
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim().length === 0) throw new HttpError(400, 'Body is empty; expected a JSON object');
  const deepAt = nestingPastDepth(text, limits.bodyDepthMax);
  if (deepAt !== undefined) throw new HttpError(400, `Body nests JSON deeper than ${limits.bodyDepthMax} levels (at character ${deepAt})`);
  try {
    return parseJson(text);
  } catch (err) {
    throw new HttpError(400, `Body is not JSON: ${errorMessage(err)}`);
  }
}

/**
 * The body's chunks, or undefined once it passes `bytesMax`: from then on the rest is read and
 * dropped, so the client can finish sending and read the answer (destroying the request would reset
 * the connection before it sees the 413).
 */
function readBounded(req: IncomingMessage, bytesMax: number): Promise<Buffer[] | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= bytesMax) return void chunks.push(chunk);
      chunks.length = 0;
      req.off('data', onData);
      req.resume();
      resolve(undefined);
    };
    req.on('data', onData);
    const cutShort = () => reject(new HttpError(400, 'The connection closed before the whole body arrived'));
    req.once('end', () => resolve(chunks));
    req.once('error', cutShort);
    req.once('close', () => (req.complete ? resolve(chunks) : cutShort()));
  });
}

/**
 * Where `text` opens its (depthMax+1)th nested array or object, or undefined if it never does. Brackets
 * inside strings do not count; a malformed text is left for the parser to report.
 */
function nestingPastDepth(text: string, depthMax: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > depthMax) return i;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) depth--;
  }
  return undefined;
}
