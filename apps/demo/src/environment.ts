/**
 * What a scenario works with: a client that sends real HTTP requests to the running reference app, and the
 * executions of a route read from its `GET /stats`. The counters are reset before each scenario.
 */
import type { HeaderEntry } from '@idempo/core/adapter';
import type { Client, DemoRequest, DemoResponse } from './http-types.js';

/** The routes whose executions the scenarios count. */
export type CountedRoute = 'POST /orders' | 'POST /payments' | 'POST /flaky';

/** What a scenario works with. */
export interface DemoEnvironment {
  readonly send: Client;
  /** How many times the route's handler has run since the scenario began. */
  readonly executions: (route?: CountedRoute) => Promise<number>;
}

async function fromFetch(response: Response): Promise<DemoResponse> {
  const headers: HeaderEntry[] = [];
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers.push([name, value]);
  });
  for (const cookie of response.headers.getSetCookie()) headers.push(['set-cookie', cookie]);
  return { status: response.status, headers, body: new Uint8Array(await response.arrayBuffer()) };
}

/** An environment over the app at `url`, its counters reset. */
export async function createDemoEnvironment(url: string): Promise<DemoEnvironment> {
  const send: Client = async (request: DemoRequest) =>
    fromFetch(
      await fetch(`${url}${request.path}`, {
        method: request.method,
        headers: request.headers,
        body: (request.body as BodyInit | undefined) ?? null,
      }),
    );
  const reset = await fetch(`${url}/stats/reset`, { method: 'POST' });
  if (reset.status !== 204) throw new Error(`POST /stats/reset answered ${reset.status}`);
  return {
    send,
    executions: async (route = 'POST /orders') => {
      const stats = (await (await fetch(`${url}/stats`)).json()) as { executions: Record<string, number> };
      return stats.executions[route] ?? 0;
    },
  };
}
