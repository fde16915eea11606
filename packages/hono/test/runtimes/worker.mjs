// Cloudflare Workers (workerd through miniflare): answers what smoke() saw, as JSON. Bundled by the test.
import { smoke } from './smoke.mjs';

export default {
  async fetch() {
    return Response.json(await smoke());
  },
};
