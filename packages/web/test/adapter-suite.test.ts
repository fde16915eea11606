/** The conformance suite over the MemoryStore: every reference route a handler behind `withIdempotency`. */
import { adapterSuite } from '@idempo/testing';
import { makeWebApp } from './support/reference-app.js';

adapterSuite('web (withIdempotency per route handler)', makeWebApp);
