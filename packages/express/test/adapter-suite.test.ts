/**
 * The conformance suite over the MemoryStore, on Express 5 and Express 4, with express.json() (keeping the raw
 * bytes, or not: core fingerprints the parsed body) and without a body parser.
 */
import { adapterSuite } from '@idempo/testing';
import { startExpressApp } from './support/express-app.js';

adapterSuite('express 5 + express.json({ verify: keepRawBody }) (memory)', (options) =>
  startExpressApp(options, { rawBody: true }),
);
adapterSuite('express 5, no body parser (memory)', (options) =>
  startExpressApp(options, { bodyParser: false }),
);
adapterSuite('express 4 + express.json() (memory)', (options) => startExpressApp(options, { express: 4 }));
adapterSuite('express 4, no body parser (memory)', (options) =>
  startExpressApp(options, { express: 4, bodyParser: false }),
);
