/**
 * The shared conformance suite against MongoStore over a collection whose filters and pipelines mingo evaluates
 * (see support/mingo-collection.ts: a query-language evaluator with the driver's BSON on the wire, not a server).
 * The same suite runs against a real server in real-server.test.ts when MONGODB_URL is set.
 */
import { storeSuite } from '@idempo/testing';
import { MongoStore } from '../src/index.js';
import { MingoCollection } from './support/mingo-collection.js';

// Each call makes a collection of its own: the stats case counts every record of the second store.
// timeScale 3: mingo evaluates every filter and pipeline in this process's JavaScript, so on a busy machine a call
// takes far longer than on a server, and the default margin (100 ms between a 400 ms lease and the call that must
// land inside it; 10 s for 500 concurrent keys) was eaten there (a fresh-clone CI run beside four other builds).
// The cases are the same; only their leases, waits and timeouts are longer.
storeSuite(
  'MongoStore, pipelines evaluated by mingo (no server)',
  () => new MongoStore({ collection: new MingoCollection() }),
  { timeScale: 3 },
);
