/**
 * `@idempo/core/node`: the Node request/response layer shared by adapters whose framework runs on `node:http`
 * (Koa, Fastify, Nest on Express or Fastify). It reads a keyed request's body from the Node stream up to the limit
 * (core's `readBoundedBody`) and makes it readable again for the framework and the handler, drains what is left
 * of a body answered 413, and captures what the framework writes on the `ServerResponse` until core has stored
 * it. Node only: the other entries stay platform-neutral.
 *
 * @packageDocumentation
 */
// Node's types for this entry only: the build checks the other entries without them (tsconfig.build.json), and
// test/node-neutral.test.ts checks that none of them reaches this one.
/// <reference types="node" />
export { type CapturedBody, captureBody } from './node/capture-body.js';
export type { Chunk } from './node/chunk-reader.js';
export { discardRest } from './node/discard-rest.js';
export { type HeaderSource, headerLines, headerSource } from './node/header-lines.js';
export { canPeekBody, isUnreadStream, peekBody, type RequestStream } from './node/peek-body.js';
export { readableAgain } from './node/readable-again.js';
export { answerWithReady, writeReady } from './node/ready-response.js';
export type { ReplaySource } from './node/replay-source.js';
export { replayStream } from './node/replay-stream.js';
export { type FramedRequest, hasRequestBody, type RequestHeaders } from './node/request-framing.js';
export { type CaptureTarget, captureResponse, type ResponseCapture } from './node/response-capture.js';
