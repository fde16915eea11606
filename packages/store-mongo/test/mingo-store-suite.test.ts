/**
 * The shared conformance suite against MongoStore over a collection whose filters and pipelines mingo evaluates
 * (see support/mingo-collection.ts: a query-language evaluator with the driver's BSON on the wire, not a server).
 * The same suite runs against a real server in real-server.test.ts when MONGODB_URL is set.
 */
import { storeSuite } from '@idempo/testing';
import { MongoStore } from '../src/index.js';
import { MingoCollection } from './support/mingo-collection.js';

// Each call makes a collection of its own: the stats case counts every record of the second store.
storeSuite('MongoStore, pipelines evaluated by mingo (no server)', () => {
  return new MongoStore({ collection: new MingoCollection() });
});
