import { expect } from 'vitest';
import { bodyJsonOf, header } from './adapter-http.js';
import type { AdapterResponse } from './adapter-types.js';
import { describeByteDifference } from './bytes.js';

/** The replay marker's name (core's default). */
export const REPLAY_HEADER = 'Idempotent-Replayed';

/**
 * Asserts an RFC 9457 problem+json rejection with `status` (BEHAVIOUR H47): the media type, and `type` (a URI),
 * `title`, `status` and `detail` members.
 */
export function expectProblem(response: AdapterResponse, status: number): void {
  expect(response.status, `expected a ${status} problem, got ${response.status}`).toBe(status);
  expect(header(response, 'content-type') ?? '').toMatch(/^application\/problem\+json\b/i);
  const problem = bodyJsonOf(response) as Record<string, unknown>;
  expect(problem['type']).toEqual(expect.stringMatching(/^[a-z][a-z0-9+.-]*:\S+$/i));
  expect(problem['title']).toEqual(expect.stringMatching(/\S/));
  expect(problem['status']).toBe(status);
  expect(problem['detail']).toEqual(expect.any(String));
  expect(header(response, REPLAY_HEADER), 'a rejection is never a replay').toBeUndefined();
}

/** Asserts that `replay` is a replay of `original`: same status, byte-identical body, the replay marker. */
export function expectReplayOf(replay: AdapterResponse, original: AdapterResponse): void {
  expect(replay.status, 'the replay keeps the original status').toBe(original.status);
  const difference = describeByteDifference(replay.body, original.body);
  expect(difference, 'the replay body must be byte-identical to the original').toBeUndefined();
  expect(header(replay, REPLAY_HEADER)).toBe('true');
}

/** Asserts that `response` was not a replay. */
export function expectNotReplayed(response: AdapterResponse): void {
  expect(header(response, REPLAY_HEADER), 'this response must not be a replay').toBeUndefined();
}

/** Asserts a problem+json rejection with `status` ({@link expectProblem}) whose `code` member is `code`. */
export function expectProblemCode(response: AdapterResponse, status: number, code: string): void {
  expectProblem(response, status);
  expect((bodyJsonOf(response) as Record<string, unknown>)['code'], `the problem's code`).toBe(code);
}
