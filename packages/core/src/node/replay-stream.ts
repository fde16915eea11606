/** A new readable stream serving a request body read ahead: what was read, then the rest of the source. */
import { Readable } from 'node:stream';
import { type ReplaySource, replayOptions } from './replay-source.js';

/**
 * A stream replaying `source`, e.g. for a content-type parser when an earlier hook replaced the request stream
 * (a decompressor): it reports that stream's `receivedEncodedLength`, so that a framework's length checks still
 * hold.
 */
export function replayStream(source: ReplaySource): Readable {
  const replay = new Readable(replayOptions(source));
  const encoded = source.stream as Readable & { receivedEncodedLength?: number };
  Object.defineProperty(replay, 'receivedEncodedLength', { get: () => encoded.receivedEncodedLength ?? 0 });
  return replay;
}
