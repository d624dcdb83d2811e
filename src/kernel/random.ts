/**
 * Seeded random streams. One root seed is split into independent named streams, so adding draws to
 * one actor's stream never shifts another's: the same scenario and seed replay exactly.
 * Generator: xoshiro128** (32-bit state words, fast with Math.imul), seeded through splitmix32 from
 * a 32-bit FNV-1a hash of the stream name mixed with the root seed.
 */
import type { Distribution } from '../scenario/types.ts';

function fnv1a(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export class RandomStream {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal: number | undefined;

  constructor(seed: number) {
    const next = splitmix32(seed);
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    if ((this.a | this.b | this.c | this.d) === 0) this.d = 1;
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 bits. */
  next(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  standardNormal(): number {
    if (this.spareNormal !== undefined) {
      const v = this.spareNormal;
      this.spareNormal = undefined;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** A draw from a scenario distribution, in milliseconds, never negative. */
  sample(dist: Distribution): number {
    switch (dist.kind) {
      case 'fixed':
        return dist.valueMs;
      case 'uniform':
        return dist.minMs === dist.maxMs ? dist.minMs : this.uniform(dist.minMs, dist.maxMs);
      case 'normal':
        return Math.max(dist.minMs, dist.meanMs + dist.sdMs * this.standardNormal());
      case 'lognormal':
        return Math.min(dist.maxMs, dist.medianMs * Math.exp(dist.sigma * this.standardNormal()));
      case 'exponential': {
        let u = 0;
        while (u === 0) u = this.next();
        return Math.min(dist.maxMs, -dist.meanMs * Math.log(u));
      }
    }
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

export class RandomStreams {
  private readonly streams = new Map<string, RandomStream>();

  constructor(readonly rootSeed: number) {
    if (!Number.isSafeInteger(rootSeed)) throw new RangeError(`Seed must be an integer, got ${rootSeed}`);
  }

  /** The stream with this name; the same name always gives the same sequence for a root seed. */
  stream(name: string): RandomStream {
    let s = this.streams.get(name);
    if (!s) {
      const lo = this.rootSeed >>> 0;
      const hi = Math.floor(this.rootSeed / 4294967296) >>> 0;
      s = new RandomStream(fnv1a(name, lo) ^ Math.imul(hi, 0x9e3779b1));
      this.streams.set(name, s);
    }
    return s;
  }
}
