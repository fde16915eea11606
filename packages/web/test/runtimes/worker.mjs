// Cloudflare Workers (workerd through miniflare): `/smoke` answers what smoke() saw, as JSON; every other path
// is the served handler itself, withIdempotency as the Worker's fetch (request, env, ctx). Bundled by the test.
import { servedHandler } from './served.mjs';
import { smoke } from './smoke.mjs';

const served = servedHandler();

export default {
  async fetch(request, env, ctx) {
    if (new URL(request.url).pathname === '/smoke') return Response.json(await smoke());
    return served(request, env, ctx);
  },
};
