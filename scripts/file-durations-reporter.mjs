// A node:test reporter for scripts/run-tests.mjs: the seconds each test file's tests took (the sum
// of its outermost tests and suites), as one JSON object {file: seconds}, so the next run can start
// the longest files first.
export default async function* fileDurations(source) {
  const seconds = {};
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { nesting, file, details } = event.data;
    if (nesting !== 0 || !file || typeof details?.duration_ms !== 'number') continue;
    seconds[file] = (seconds[file] ?? 0) + details.duration_ms / 1000;
  }
  yield `${JSON.stringify(seconds)}\n`;
}
