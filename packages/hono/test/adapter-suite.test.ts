/** The conformance suite over the MemoryStore: both ways of registering the middleware, and Hono 4.0.0. */
import { adapterSuite } from '@idempo/testing';
import type { Hono } from 'hono';
import { Hono as Hono40 } from 'hono4-0';
import { makeHonoApp } from './support/reference-app.js';

adapterSuite('hono (app.use + .route overrides)', makeHonoApp('app-wide'));
adapterSuite('hono (.route on every route)', makeHonoApp('per-route'));
adapterSuite(
  'hono 4.0.0 (app.use + .route overrides)',
  makeHonoApp('app-wide', Hono40 as unknown as typeof Hono),
);
