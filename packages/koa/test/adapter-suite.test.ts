/** The conformance suite over the MemoryStore, on Koa 3 and Koa 2, with and without @koa/bodyparser. */
import { adapterSuite } from '@idempo/testing';
import { startKoaApp } from './support/koa-app.js';

adapterSuite('koa 3 + @koa/router + @koa/bodyparser (memory)', (options) => startKoaApp(options));
adapterSuite('koa 3 + @koa/router, no body parser (memory)', (options) =>
  startKoaApp(options, { bodyParser: false }),
);
adapterSuite('koa 2 + @koa/router + @koa/bodyparser (memory)', (options) => startKoaApp(options, { koa: 2 }));
adapterSuite('koa 2 + @koa/router, no body parser (memory)', (options) =>
  startKoaApp(options, { koa: 2, bodyParser: false }),
);
