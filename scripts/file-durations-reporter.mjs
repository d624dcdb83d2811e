// A node:test reporter for scripts/run-tests.mjs: one JSON line {file, seconds} per outermost test or
// suite as it ends, so the next run can start the longest files first. Written line by line (not at
// the end) because --test-force-exit may end the run before a reporter's last write.
export default async function* fileDurations(source) {
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { nesting, file, details } = event.data;
    if (nesting !== 0 || !file || typeof details?.duration_ms !== 'number') continue;
    yield `${JSON.stringify({ file, seconds: details.duration_ms / 1000 })}\n`;
  }
}
