/**
 * Reading a control API /events response (server-sent events) in a test: bounded by the stream's
 * end and by a deadline, so a stream that closes or never sends what is awaited fails the test
 * instead of spinning or hanging.
 */

/** Reads `response`'s body until `until(text so far)` holds; cancels the stream and returns the text. */
export async function readEventStreamUntil(response: Response, until: (text: string) => boolean, what: string, timeoutMs: number): Promise<string> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void reader.cancel();
  }, timeoutMs);
  let text = '';
  try {
    while (!until(text)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(timedOut ? `Timed out after ${timeoutMs} ms waiting for ${what} on the event stream` : `The event stream ended before ${what}`);
      text += decoder.decode(value, { stream: true });
    }
    return text;
  } finally {
    clearTimeout(timer);
    await reader.cancel().catch(() => {});
  }
}
