/**
 * Every suite `npm run bench` knows, in the order they run. To add one, write a module exporting a
 * `BenchSuite` (see bench/suite.ts) and append it here.
 */
import type { BenchSuite } from './suite.ts';
import { checkSuite } from './check.ts';
import { distributedSuite } from './distributed.ts';
import { kernelSuite } from './kernel.ts';
import { liveSuite } from './live.ts';
import { modelSuite } from './model.ts';

export const suites: readonly BenchSuite[] = [kernelSuite, modelSuite, liveSuite, checkSuite, distributedSuite];
