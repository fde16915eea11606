import { describe, expect, it } from 'vitest';
import { parseHttpBenchArgs } from '../src/http/http-args.js';

describe('HTTP bench command line', () => {
  it('runs everything by default, and mongo only with MONGODB_URL', () => {
    const all = parseHttpBenchArgs([], {});
    expect(all?.frameworks).toEqual([
      'express',
      'fastify',
      'hono',
      'koa',
      'nest-express',
      'nest-fastify',
      'nest-express-peer-app',
    ]);
    expect(all?.stores).toEqual(['memory', 'redis', 'postgres']);
    expect(all).toMatchObject({ peers: true, reps: 3, durationMs: 3000, connections: 32, pin: true });
    expect(parseHttpBenchArgs([], { MONGODB_URL: 'mongodb://x' })?.stores).toContain('mongo');
  });

  it('--quick is a smoke run on Fastify', () => {
    expect(parseHttpBenchArgs(['--quick'], {})).toMatchObject({
      frameworks: ['fastify'],
      peers: false,
      reps: 1,
      durationMs: 500,
    });
  });

  it('rejects unknown names and bad numbers with a readable message', () => {
    expect(() => parseHttpBenchArgs(['--framework', 'sinatra'], {})).toThrow(/--framework must be one of/);
    expect(() => parseHttpBenchArgs(['--reps', '0'], {})).toThrow(/--reps must be an integer >= 1/);
    expect(() => parseHttpBenchArgs(['--colour'], {})).toThrow();
    expect(parseHttpBenchArgs(['--help'], {})).toBeUndefined();
  });
});
