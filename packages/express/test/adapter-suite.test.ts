/** The conformance suite over the MemoryStore, on Express 5 and Express 4, with and without express.json(). */
import { adapterSuite } from '@idempo/testing';
import { startExpressApp } from './support/express-app.js';

adapterSuite('express 5 + express.json() (memory)', (options) => startExpressApp(options));
adapterSuite('express 5, no body parser (memory)', (options) =>
  startExpressApp(options, { bodyParser: false }),
);
adapterSuite('express 4 + express.json() (memory)', (options) => startExpressApp(options, { express: 4 }));
adapterSuite('express 4, no body parser (memory)', (options) =>
  startExpressApp(options, { express: 4, bodyParser: false }),
);
