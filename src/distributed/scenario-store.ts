/**
 * Scenario texts in Redis by content hash: a job carries only the hash, the text is stored once per
 * sweep and each worker keeps the texts it has read.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ScenarioText } from '../scenario/variants.ts';

/** How long a stored scenario stays in Redis after its sweep was submitted. */
export const scenarioTtlSeconds = 24 * 3600;
/** Scenario texts one worker keeps in memory (the oldest read is dropped first). */
export const cachedScenariosMax = 32;

const keyPrefix = 'opflex-twin:scenario:';

export function scenarioHash(scenario: ScenarioText): string {
  return createHash('sha256').update(JSON.stringify([scenario.source, scenario.baseDir, scenario.text])).digest('hex');
}

export async function storeScenario(redis: Redis, scenario: ScenarioText): Promise<string> {
  const hash = scenarioHash(scenario);
  await redis.set(keyPrefix + hash, JSON.stringify(scenario), 'EX', scenarioTtlSeconds);
  return hash;
}

export class ScenarioCache {
  private readonly texts = new Map<string, ScenarioText>();

  constructor(private readonly redis: Redis) {}

  async get(hash: string): Promise<ScenarioText> {
    const cached = this.texts.get(hash);
    if (cached) return cached;
    const stored = await this.redis.get(keyPrefix + hash);
    if (stored === null) throw new Error(`Scenario ${hash} is not in the queue's Redis (expired after ${scenarioTtlSeconds} s, or submitted to another Redis)`);
    const scenario = JSON.parse(stored) as ScenarioText;
    if (scenarioHash(scenario) !== hash) throw new Error(`Scenario ${hash} in Redis does not match its hash`);
    if (this.texts.size >= cachedScenariosMax) this.texts.delete(this.texts.keys().next().value!);
    this.texts.set(hash, scenario);
    return scenario;
  }

  async close(): Promise<void> {
    await this.redis.quit();
  }
}
