/**
 * The conformance suite over real HTTP, served by @hono/node-server: its lightweight `Request` and `Response`
 * (a body at hand is captured from the response itself and the request body is read straight from the socket).
 */
import { adapterSuite } from '@idempo/testing';
import { serveHono } from './support/node-server.js';
import { referenceHonoApp } from './support/reference-app.js';

adapterSuite('hono over @hono/node-server (app.use + .route overrides)', (options) =>
  serveHono(referenceHonoApp(options, 'app-wide').app),
);
adapterSuite('hono over @hono/node-server (.route on every route)', (options) =>
  serveHono(referenceHonoApp(options, 'per-route').app),
);
