/** The conformance suite with the in-memory store, on the newest and the oldest Fastify 5, at the root and under a prefix. */
import { adapterSuite } from '@idempo/testing';
import { FASTIFY_VERSIONS, makeAdapterApp } from './support/reference-app.js';

for (const version of FASTIFY_VERSIONS) {
  adapterSuite(`${version.name}, MemoryStore`, (options) =>
    makeAdapterApp(options, { create: version.create }),
  );
}
adapterSuite('fastify inside a /v1 prefix plugin, MemoryStore', (options) =>
  makeAdapterApp(options, { prefix: '/v1' }),
);
