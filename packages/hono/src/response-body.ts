/**
 * Step 4: the handler's body, as bytes to store or as a stream to pass on untouched. A body that can be had at
 * once (a string, bytes, JSON, a declared Content-Length) is read; a streamed one (`Transfer-Encoding`, or a
 * stream that still has more to come once the event loop turns) is never buffered.
 */

const LATER = Symbol('later');
const NEVER = new Promise<typeof LATER>(() => {});

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** The rest of a stream: the chunks already read, then the pending read, then the reader to its end. */
function resume(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  chunks: Uint8Array[],
  pending: Promise<ReadableStreamReadResult<Uint8Array>> | undefined,
): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const chunk = chunks.shift();
      if (chunk) return controller.enqueue(chunk);
      const result = await (pending ?? reader.read());
      pending = undefined;
      if (result.done) controller.close();
      else controller.enqueue(result.value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

/**
 * Reads `body` when it is all there: with a Content-Length, to its end; otherwise only while every chunk
 * arrives before a zero-delay timer fires. Returns the bytes, or the stream to send instead of `body` (`body`
 * itself when it was not touched).
 */
export async function readResponseBody(
  body: ReadableStream<Uint8Array>,
  headers: Headers,
): Promise<Uint8Array | ReadableStream<Uint8Array>> {
  if (headers.has('transfer-encoding')) return body;
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const later = headers.has('content-length')
    ? NEVER
    : new Promise<typeof LATER>((resolve) => {
        timer = setTimeout(resolve, 0, LATER);
      });
  try {
    for (;;) {
      const pending = reader.read();
      const result = await Promise.race([pending, later]);
      if (result === LATER) return resume(reader, chunks, pending);
      if (result.done) return concat(chunks);
      chunks.push(result.value);
    }
  } finally {
    clearTimeout(timer);
  }
}
