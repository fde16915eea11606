/**
 * The scripted tour: the main behaviours of idempo, one scenario each, in the order a reader would ask about
 * them. Every scenario gets a fresh application, so execution counts are its own.
 */
import { PROBLEM_CONTENT_TYPE } from '@idempo/core';
import { orderRequest, quoted } from './order-request.js';
import { OutcomeRecorder } from './outcome.js';
import { headerOf, jsonField, sameBytes } from './response-reading.js';
import type { Scenario } from './scenario.js';

const CONCURRENT_DUPLICATES = 20;

/** Counts responses by status, e.g. `1x201 19x409`. */
function statusTally(statuses: readonly number[]): string {
  const counts = new Map<number, number>();
  for (const s of statuses) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts.entries()]
    .sort(([a], [b]) => a - b)
    .map(([status, n]) => `${n}x${status}`)
    .join(' ');
}

/** The scenarios, in order. */
export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'first request runs the handler',
    expected: '201 + Location, executions 1',
    async run({ send, executions }) {
      const rec = new OutcomeRecorder();
      const res = await send(orderRequest({ key: quoted('order-first') }));
      const location = headerOf(res, 'location');
      rec.note(`${res.status} ${location ?? '(no Location)'}`);
      rec.note(`executions ${executions()}`);
      rec.equal('status', res.status, 201);
      rec.expect(location?.startsWith('/orders/ord_') === true, 'Location header missing');
      rec.expect(jsonField(res, 'id') !== undefined, 'body has no order id');
      rec.equal('executions', executions(), 1);
      return rec.outcome();
    },
  },
  {
    name: 'retry replays the stored response',
    expected: '201, same bytes, replayed: true, executions 1',
    async run({ send, executions }) {
      const rec = new OutcomeRecorder();
      const request = orderRequest({ key: quoted('order-retry') });
      const first = await send(request);
      const retry = await send(request);
      const replayed = headerOf(retry, 'idempotent-replayed');
      const identical = sameBytes(first.body, retry.body);
      rec.note(`${retry.status}`);
      rec.note(identical ? 'same bytes' : 'DIFFERENT bytes');
      rec.note(`replayed: ${replayed ?? '(absent)'}`);
      rec.note(`executions ${executions()}`);
      rec.equal('retry status', retry.status, first.status);
      rec.expect(identical, 'the replayed body differs from the original');
      rec.equal('Idempotent-Replayed', replayed, 'true');
      rec.equal('Location', headerOf(retry, 'location'), headerOf(first, 'location'));
      rec.expect(
        headerOf(first, 'idempotent-replayed') === undefined,
        'the first response is marked replayed',
      );
      rec.equal('executions', executions(), 1);
      return rec.outcome();
    },
  },
  {
    name: `${CONCURRENT_DUPLICATES} concurrent duplicates`,
    expected: `1x201 ${CONCURRENT_DUPLICATES - 1}x409 + Retry-After, executions 1`,
    async run({ send, executions }) {
      const rec = new OutcomeRecorder();
      const request = orderRequest({ key: quoted('order-burst') });
      const responses = await Promise.all(Array.from({ length: CONCURRENT_DUPLICATES }, () => send(request)));
      const statuses = responses.map((r) => r.status);
      const conflicts = responses.filter((r) => r.status === 409);
      const withRetryAfter = conflicts.filter((r) => headerOf(r, 'retry-after') !== undefined).length;
      rec.note(statusTally(statuses));
      rec.note(`Retry-After on ${withRetryAfter}/${conflicts.length}`);
      rec.note(`executions ${executions()}`);
      rec.equal('201 responses', statuses.filter((s) => s === 201).length, 1);
      rec.equal('409 responses', conflicts.length, CONCURRENT_DUPLICATES - 1);
      rec.equal('409 responses with Retry-After', withRetryAfter, conflicts.length);
      rec.equal('executions', executions(), 1);
      return rec.outcome();
    },
  },
  {
    name: 'same key, different body',
    expected: `422 ${PROBLEM_CONTENT_TYPE}, executions 1`,
    async run({ send, executions }) {
      const rec = new OutcomeRecorder();
      const key = quoted('order-reuse');
      await send(orderRequest({ key, order: { item: 'widget', quantity: 2 } }));
      const res = await send(orderRequest({ key, order: { item: 'widget', quantity: 200 } }));
      const type = headerOf(res, 'content-type');
      rec.note(`${res.status} ${type ?? '(no Content-Type)'}`);
      rec.note(`executions ${executions()}`);
      rec.equal('status', res.status, 422);
      rec.equal('Content-Type', type, PROBLEM_CONTENT_TYPE);
      rec.equal('problem code', jsonField(res, 'code'), 'fingerprint_mismatch');
      rec.equal('executions', executions(), 1);
      return rec.outcome();
    },
  },
  {
    name: 'invalid key "a\\x"',
    expected: `400 ${PROBLEM_CONTENT_TYPE}, executions 0`,
    async run({ send, executions }) {
      const rec = new OutcomeRecorder();
      const res = await send(orderRequest({ key: '"a\\x"' }));
      const type = headerOf(res, 'content-type');
      rec.note(`${res.status} ${type ?? '(no Content-Type)'}`);
      rec.note(`executions ${executions()}`);
      rec.equal('status', res.status, 400);
      rec.equal('Content-Type', type, PROBLEM_CONTENT_TYPE);
      rec.equal('problem code', jsonField(res, 'code'), 'invalid_key');
      rec.equal('executions', executions(), 0);
      return rec.outcome();
    },
  },
  {
    name: 'handler throws, retry runs again',
    expected: '500, retry 201, then replay, executions 2',
    async run({ send, executions }) {
      const rec = new OutcomeRecorder();
      const request = orderRequest({ key: quoted('order-flaky'), failOnce: 'flaky-1' });
      const failed = await send(request);
      const retried = await send(request);
      const again = await send(request);
      const replayed = headerOf(again, 'idempotent-replayed') === 'true';
      rec.note(`${failed.status}, retry ${retried.status}`);
      rec.note(`then ${again.status}${replayed ? ' replayed' : ''}`);
      rec.note(`executions ${executions()}`);
      rec.equal('first status', failed.status, 500);
      rec.equal('retry status', retried.status, 201);
      rec.expect(
        replayed && sameBytes(again.body, retried.body),
        'the third attempt did not replay the successful response',
      );
      rec.equal('executions', executions(), 2);
      return rec.outcome();
    },
  },
  {
    name: 'two principals, same key',
    expected: '201 each, distinct orders, executions 2',
    async run({ send, executions }) {
      const rec = new OutcomeRecorder();
      const key = quoted('order-shared-key');
      const alice = await send(orderRequest({ key, user: 'alice' }));
      const bob = await send(orderRequest({ key, user: 'bob' }));
      const aliceRetry = await send(orderRequest({ key, user: 'alice' }));
      const aliceId = jsonField(alice, 'id');
      const bobId = jsonField(bob, 'id');
      rec.note(`alice ${alice.status}, bob ${bob.status}`);
      rec.note(aliceId !== bobId ? 'distinct orders' : 'SAME order');
      rec.note(`executions ${executions()}`);
      rec.equal('alice status', alice.status, 201);
      rec.equal('bob status', bob.status, 201);
      rec.expect(aliceId !== undefined && aliceId !== bobId, 'alice and bob share one order');
      rec.equal("alice's retry replays her order", jsonField(aliceRetry, 'id'), aliceId);
      rec.equal('executions', executions(), 2);
      return rec.outcome();
    },
  },
];
