/** The conformance suite on Nest 10 with Express (the memory store). */
import { adapterSuite } from '@idempo/testing';
import { NestFactory } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import { referenceNestApp } from '../support/nest-app.js';

describe('Nest 10', () => {
  it('is the Nest under test', async () => {
    const { createRequire } = await import('node:module');
    const version = createRequire(import.meta.url)('@nestjs/core/package.json').version as string;
    expect(version).toMatch(/^10\./);
    expect(typeof NestFactory.create).toBe('function');
  });
});

adapterSuite('nest10-express (memory)', (options) => referenceNestApp('express', options), {
  extraDelayMs: 50,
});
