/**
 * The scripted tour: the main behaviours of idempo, one scenario each, in the order a reader would ask about
 * them, over real HTTP against the reference app. Keys are unique per run; counters are reset per scenario.
 */
import { PROBLEM_CONTENT_TYPE } from '@idempo/core/adapter';
import { freshKey, orderRequest } from './order-request.js';
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
      const res = await send(orderRequest({ key: freshKey('first') }));
      const location = headerOf(res, 'location');
      const runs = await executions();
      rec.note(`${res.status} ${location ?? '(no Location)'}, executions ${runs}`);
      rec.equal('status', res.status, 201);
      rec.expect(location?.startsWith('/orders/') === true, 'Location header missing');
      rec.equal('executions', runs, 1);
      return rec.outcome();
    },
  },
  {
    name: 'retry replays the stored response',
    expected: '201, same bytes, replayed: true, executions 1',
    async run({ send, executions }) {
      const rec = new OutcomeRecorder();
      const request = orderRequest({ key: freshKey('retry') });
      const first = await send(request);
      const retry = await send(request);
      const replayed = headerOf(retry, 'idempotent-replayed');
      const identical = sameBytes(first.body, retry.body);
      const runs = await executions();
      rec.note(
        `${retry.status}, ${identical ? 'same bytes' : 'DIFFERENT bytes'}, replayed: ${replayed ?? '(absent)'}, executions ${runs}`,
      );
      rec.equal('retry status', retry.status, first.status);
      rec.expect(identical, 'the replayed body differs from the original');
      rec.equal('Idempotent-Replayed', replayed, 'true');
      rec.equal('Location', headerOf(retry, 'location'), headerOf(first, 'location'));
      rec.expect(
        headerOf(first, 'idempotent-replayed') === undefined,
        'the first response is marked replayed',
      );
      rec.equal('executions', runs, 1);
      return rec.outcome();
    },
  },
  {
    name: `${CONCURRENT_DUPLICATES} concurrent duplicates`,
    expected: '1 execution; others 409 + Retry-After or the same 201',
    async run({ send, executions }) {
      const rec = new OutcomeRecorder();
      const request = orderRequest({ key: freshKey('burst'), path: '/orders?delay=500' });
      const responses = await Promise.all(Array.from({ length: CONCURRENT_DUPLICATES }, () => send(request)));
      const statuses = responses.map((r) => r.status);
      const created = responses.filter((r) => r.status === 201);
      const conflicts = responses.filter((r) => r.status === 409);
      const withRetryAfter = conflicts.filter((r) => headerOf(r, 'retry-after') !== undefined).length;
      const runs = await executions();
      rec.note(
        `${statusTally(statuses)}, Retry-After on ${withRetryAfter}/${conflicts.length}, executions ${runs}`,
      );
      // A duplicate that reaches the store after the first finished gets the stored 201 (a replay): still one execution.
      rec.equal('responses that are 201 or 409', created.length + conflicts.length, CONCURRENT_DUPLICATES);
      rec.expect(created.length >= 1, 'no 201 at all');
      rec.expect(
        created.every((r) => sameBytes(r.body, (created[0] as (typeof created)[number]).body)),
        'the 201 bodies differ: more than one execution answered',
      );
      rec.equal('409 responses with Retry-After', withRetryAfter, conflicts.length);
      rec.equal('executions', runs, 1);
      return rec.outcome();
    },
  },
  {
    name: 'same key, different body',
    expected: `422 ${PROBLEM_CONTENT_TYPE}, executions 1`,
    async run({ send, executions }) {
      const rec = new OutcomeRecorder();
      const key = freshKey('reuse');
      await send(orderRequest({ key, order: { item: 'book', qty: 2 } }));
      const res = await send(orderRequest({ key, order: { item: 'book', qty: 200 } }));
      const type = headerOf(res, 'content-type');
      const runs = await executions();
      rec.note(`${res.status} ${type ?? '(no Content-Type)'}, executions ${runs}`);
      rec.equal('status', res.status, 422);
      rec.equal('Content-Type', type, PROBLEM_CONTENT_TYPE);
      rec.equal('problem code', jsonField(res, 'code'), 'fingerprint_mismatch');
      rec.equal('executions', runs, 1);
      return rec.outcome();
    },
  },
  {
    name: 'required key missing (POST /payments)',
    expected: `400 ${PROBLEM_CONTENT_TYPE}, executions 0`,
    async run({ send, executions }) {
      const rec = new OutcomeRecorder();
      const res = await send(orderRequest({ path: '/payments' }));
      const type = headerOf(res, 'content-type');
      const runs = await executions('POST /payments');
      rec.note(`${res.status} ${type ?? '(no Content-Type)'}, executions ${runs}`);
      rec.equal('status', res.status, 400);
      rec.equal('Content-Type', type, PROBLEM_CONTENT_TYPE);
      rec.equal('problem code', jsonField(res, 'code'), 'missing_key');
      rec.equal('executions', runs, 0);
      return rec.outcome();
    },
  },
  {
    name: 'invalid key "a\\x"',
    expected: `400 ${PROBLEM_CONTENT_TYPE}, executions 0`,
    async run({ send, executions }) {
      const rec = new OutcomeRecorder();
      const res = await send(orderRequest({ key: '"a\\x"' }));
      const runs = await executions();
      rec.note(`${res.status} ${headerOf(res, 'content-type') ?? '(no Content-Type)'}, executions ${runs}`);
      rec.equal('status', res.status, 400);
      rec.equal('problem code', jsonField(res, 'code'), 'invalid_key');
      rec.equal('executions', runs, 0);
      return rec.outcome();
    },
  },
  {
    name: 'handler throws, retry runs again',
    expected: '500, retry 201, then replay, executions 2',
    async run({ send, executions }) {
      const rec = new OutcomeRecorder();
      const request = orderRequest({ key: freshKey('flaky'), path: '/flaky' });
      const failed = await send(request);
      const retried = await send(request);
      const again = await send(request);
      const replayed = headerOf(again, 'idempotent-replayed') === 'true';
      const runs = await executions('POST /flaky');
      rec.note(
        `${failed.status}, retry ${retried.status}, then ${again.status}${replayed ? ' replayed' : ''}, executions ${runs}`,
      );
      rec.equal('first status', failed.status, 500);
      rec.equal('retry status', retried.status, 201);
      rec.expect(
        replayed && sameBytes(again.body, retried.body),
        'the third attempt did not replay the successful response',
      );
      rec.equal('executions', runs, 2);
      return rec.outcome();
    },
  },
  {
    name: 'two principals, same key',
    expected: '201 each, distinct orders, executions 2',
    async run({ send, executions }) {
      const rec = new OutcomeRecorder();
      const key = freshKey('shared');
      const alice = await send(orderRequest({ key, user: 'alice' }));
      const bob = await send(orderRequest({ key, user: 'bob' }));
      const aliceRetry = await send(orderRequest({ key, user: 'alice' }));
      const aliceOwner = jsonField(alice, 'principal');
      const bobOwner = jsonField(bob, 'principal');
      const runs = await executions();
      rec.note(`alice ${alice.status} (${aliceOwner}), bob ${bob.status} (${bobOwner}), executions ${runs}`);
      rec.equal('alice status', alice.status, 201);
      rec.equal('bob status', bob.status, 201);
      rec.equal("alice's order is hers", aliceOwner, 'alice');
      rec.equal("bob's order is his", bobOwner, 'bob');
      rec.expect(sameBytes(aliceRetry.body, alice.body), "alice's retry does not replay her order");
      rec.equal('executions', runs, 2);
      return rec.outcome();
    },
  },
];
