/**
 * Whether an answer is no route's own (issue 15.7): in a rolling deploy a retry may reach an instance that has
 * the route, so a "no such route" answer must never be stored under the key. Express runs `app.use(idem)` before
 * any route matched, so this is judged when the response ends, from what the router left on `req`.
 */
import { isNoRouteStatus } from '@idempo/core/adapter';
import type { Request } from 'express';

/**
 * True when no route matched the request's method and path (Express sets `req.route` when one does, on 4 and 5)
 * and the answer is a 404, 405 or 501: Express's final handler ("Cannot POST /x"), or a catch-all not-found
 * middleware. A matched route's own 404 is its answer.
 */
export function answeredByNoRoute(req: Request, status: number): boolean {
  return (req as { route?: unknown }).route === undefined && isNoRouteStatus(status);
}
