/**
 * The reference app's route contract (docs/reference-app.md "Routes") as a framework-free object: every
 * adapter's test and apps/reference only translate it onto their framework.
 */
import {
  flakyHandler,
  formsHandler,
  getOrderHandler,
  orderHandler,
  putOrderHandler,
  rawHandler,
  resetHandler,
  statsHandler,
  streamHandler,
  uploadHandler,
} from './reference-handlers.js';
import type {
  CountedRouteId,
  ReferenceMatch,
  ReferenceRoute,
  ReferenceRouteId,
  ReferenceRouteOptions,
  ReferenceService,
} from './reference-types.js';

/**
 * The idempotency options of each reference route, shared by every service so that core resolves each once:
 * `POST /orders`, `POST /uploads` and `POST /forms` use the application's options (key optional), `POST /payments` requires a
 * key, `PUT /orders/:id` opts PUT in, `POST /raw` and `POST /stats/reset` opt out, GET routes need nothing.
 */
export const REFERENCE_ROUTE_OPTIONS: Readonly<
  Record<ReferenceRouteId, ReferenceRouteOptions | false | undefined>
> = Object.freeze({
  'POST /orders': undefined,
  'POST /payments': Object.freeze({ required: true }),
  'PUT /orders/:id': Object.freeze({ methods: Object.freeze(['PUT']) }),
  'POST /uploads': undefined,
  'POST /stream': undefined,
  'POST /flaky': undefined,
  'POST /raw': false,
  'POST /forms': undefined,
  'GET /orders/:id': undefined,
  'GET /stats': undefined,
  'POST /stats/reset': false,
});

const COUNTED: readonly CountedRouteId[] = [
  'POST /orders',
  'POST /payments',
  'PUT /orders/:id',
  'POST /uploads',
  'POST /stream',
  'POST /flaky',
  'POST /raw',
  'POST /forms',
  'GET /orders/:id',
];

function zeroes(): Record<CountedRouteId, number> {
  return Object.fromEntries(COUNTED.map((id) => [id, 0])) as Record<CountedRouteId, number>;
}

/** Matches `path` against a `:name` pattern; the parameters, decoded, or `undefined`. */
function matchPattern(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, segment] of want.entries()) {
    const actual = got[i] as string;
    if (segment.startsWith(':')) {
      if (actual === '') return undefined;
      try {
        params[segment.slice(1)] = decodeURIComponent(actual);
      } catch {
        return undefined;
      }
    } else if (segment !== actual) {
      return undefined;
    }
  }
  return params;
}

/**
 * Creates one reference app's handlers and counters. Each call has its own counters, so parallel apps in one
 * process do not share them.
 *
 * @example
 * ```ts
 * const service = createReferenceService();
 * for (const route of service.routes) {
 *   app.route({ method: route.method, url: route.pattern, config: { idempotency: route.idempotency },
 *     handler: async (req, reply) => write(reply, await route.handle(toInput(req))) });
 * }
 * ```
 */
export function createReferenceService(): ReferenceService {
  const executions = zeroes();
  const count = Object.assign((id: CountedRouteId) => ++executions[id], {
    current: (id: CountedRouteId) => executions[id],
  });
  const reset = () => Object.assign(executions, zeroes());
  const route = (id: ReferenceRouteId, handle: ReferenceRoute['handle']): ReferenceRoute => {
    const [method, pattern] = id.split(' ') as [ReferenceRoute['method'], string];
    return Object.freeze({ id, method, pattern, idempotency: REFERENCE_ROUTE_OPTIONS[id], handle });
  };
  // Static segments before parameters: `/stats` and `/orders` before `/orders/:id`.
  const routes: readonly ReferenceRoute[] = Object.freeze([
    route('POST /orders', orderHandler('POST /orders', count)),
    route('POST /payments', orderHandler('POST /payments', count)),
    route('POST /uploads', uploadHandler(count)),
    route('POST /stream', streamHandler(count)),
    route('POST /flaky', flakyHandler(count)),
    route('POST /raw', rawHandler(count)),
    route('POST /forms', formsHandler(count)),
    route(
      'GET /stats',
      statsHandler(() => ({ ...executions })),
    ),
    route('POST /stats/reset', resetHandler(reset)),
    route('PUT /orders/:id', putOrderHandler(count)),
    route('GET /orders/:id', getOrderHandler(count)),
  ]);
  const byId = new Map(routes.map((r) => [r.id, r]));
  return {
    routes,
    executions,
    route: (id) => {
      const found = byId.get(id);
      if (!found) throw new RangeError(`no reference route ${String(id)}`);
      return found;
    },
    match: (method, path): ReferenceMatch | undefined => {
      const upper = method.toUpperCase();
      for (const candidate of routes) {
        if (candidate.method !== upper) continue;
        const params = matchPattern(candidate.pattern, path);
        if (params) return { route: candidate, params };
      }
      return undefined;
    },
    reset,
  };
}
