/**
 * The conformance suite with the in-memory store, every request over a real socket: the plugin reads a Node
 * `IncomingMessage` (its body put back into the request stream), where `inject` hands it light-my-request's.
 */
import { adapterSuite } from '@idempo/testing';
import { makeAdapterApp } from './support/reference-app.js';

adapterSuite('fastify over HTTP, MemoryStore', (options) => makeAdapterApp(options, { transport: 'http' }));
