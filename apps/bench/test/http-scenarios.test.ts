import { describe, expect, it } from 'vitest';
import { DUPLICATES, REPLAY_KEYS, replayKeys, scenarioRun } from '../src/http/scenarios.js';

const keysOf = (scenario: Parameters<typeof scenarioRun>[0], n: number) => {
  const run = scenarioRun(scenario, 'run1', 'fastify/memory');
  const keys = Array.from({ length: n }, () => run.request.setupRequest({}).headers['idempotency-key']);
  return { keys, issued: run.keysIssued() };
};

describe('HTTP bench scenarios', () => {
  it('new-keys sends a fresh, valid sf-string key on every request', () => {
    const { keys, issued } = keysOf('new-keys', 500);
    expect(new Set(keys).size).toBe(500);
    expect(issued).toBe(500);
    for (const key of keys) expect(key).toMatch(/^"[a-z0-9-]+"$/);
  });

  it('replays cycles through the keys stored beforehand and issues none', () => {
    const { keys, issued } = keysOf('replays', REPLAY_KEYS * 2);
    expect(new Set(keys)).toEqual(new Set(replayKeys('fastify/memory')));
    expect(issued).toBe(0);
  });

  it(`duplicates sends runs of ${DUPLICATES} requests with one key`, () => {
    const { keys, issued } = keysOf('duplicates', DUPLICATES * 5 + 3);
    expect(new Set(keys).size).toBe(6);
    expect(issued).toBe(6);
    expect(keys.slice(0, DUPLICATES).every((k) => k === keys[0])).toBe(true);
    expect(keys[DUPLICATES]).not.toBe(keys[0]);
  });

  it('every request carries the same body and headers besides the key', () => {
    const run = scenarioRun('new-keys', 'r', 's');
    const headers = run.request.setupRequest({}).headers;
    expect(headers).toMatchObject({ 'content-type': 'application/json', authorization: 'Bearer bench' });
    expect(JSON.parse(run.request.body)).toEqual({ item: 'book', qty: 1 });
  });
});
