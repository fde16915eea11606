/**
 * Replacing `writeHead`, `write` and `end` of a Node `ServerResponse` for the duration of one request.
 * Everything a framework, its interceptors or error handlers send passes there, serialised, so this is where an
 * adapter sees exactly the bytes a client receives.
 */
import { ServerResponse } from 'node:http';

/** The three write methods of a `ServerResponse`. */
export type WriteMethod = 'writeHead' | 'write' | 'end';

/** A replacement of one of them. */
export type WriteFunction = (this: ServerResponse, ...args: unknown[]) => unknown;

/** The three write methods, replaced until `restore()`. */
export interface Patch {
  /** Calls the method that was replaced. */
  call(method: WriteMethod, args: readonly unknown[]): unknown;
  /** Puts the replaced methods back. */
  restore(): void;
}

type Methods = Record<WriteMethod, WriteFunction>;

/** The replacements of each response patched through its prototype's dispatchers, until its restore. */
const active = new WeakMap<object, Methods>();
/** The prototypes whose chain holds the dispatchers (below), each with the object that holds them. */
const dispatching = new WeakMap<object, object>();
/** Each dispatcher method, with the object it passes calls on to (the prototype it was put in front of). */
const passesTo = new WeakMap<object, Methods>();

/**
 * The method `name` a response reaches from `from` when no patch holds it: past every dispatcher in the chain
 * (an Express sub-app's `response` inherits the app's, and each may have its own), so that a patch's `call`
 * never comes back to a dispatcher, which would hand the call to the patch again.
 */
function pastDispatchers(from: Methods, name: WriteMethod): WriteFunction {
  let method = from[name];
  for (let next = passesTo.get(method); next !== undefined; next = passesTo.get(method)) method = next[name];
  return method;
}

/**
 * The dispatchers for responses of prototype `proto` (an Express app's `app.response`): an object holding the three
 * write methods, put once between `proto` and its own prototype, so that every response whose chain passes there
 * reaches them: the app's responses, and those of an Express sub-app, whose `response` Express makes inherit its
 * parent's when it is mounted and sets on the response when the request enters it. Each method calls the
 * replacement of a patched response (`active`), or for any other the method it stands in front of, looked up at
 * the call. `undefined` when that cannot be done: `proto` has one of the methods itself (they would hide the
 * dispatchers), or does not let its prototype be set.
 */
function dispatchersFor(proto: object): object | undefined {
  const known = dispatching.get(proto);
  if (known !== undefined) return known;
  if (Object.hasOwn(proto, 'writeHead') || Object.hasOwn(proto, 'write') || Object.hasOwn(proto, 'end')) {
    return undefined;
  }
  const parent = Object.getPrototypeOf(proto) as Methods;
  const method = (name: WriteMethod) => {
    const dispatch = function (this: ServerResponse, ...args: unknown[]): unknown {
      const replacements = active.get(this);
      return (replacements ?? parent)[name].apply(this, args);
    };
    passesTo.set(dispatch, parent);
    return { value: dispatch, writable: true, configurable: true };
  };
  const dispatchers = Object.create(parent, {
    writeHead: method('writeHead'),
    write: method('write'),
    end: method('end'),
  }) as object;
  try {
    Object.setPrototypeOf(proto, dispatchers);
  } catch {
    return undefined;
  }
  dispatching.set(proto, dispatchers);
  return dispatchers;
}

/**
 * Replaces `writeHead`, `write` and `end` of `res`. On a response whose prototype a framework set to one of its
 * own over `ServerResponse`'s (Express sets its app's on every request, `Object.setPrototypeOf`), through
 * dispatchers put once in that prototype's chain ({@link dispatchersFor}): a patch then only enters the response
 * in a WeakMap. It changes neither the response's own properties nor its prototype: V8 caches neither change
 * on an Express response (it has own properties added after its prototype was set, such as `res.locals`), so
 * each cost a new shape (about 1.2 KB allocated per change, measured on Node 20) and made Node's and Express's
 * inline caches on responses megamorphic. And a request that enters an Express sub-app, which sets the
 * sub-app's prototype on the response, still writes through the dispatchers. Otherwise (a plain
 * `ServerResponse`: Fastify, Koa, Node's own server; a response that already has one of the methods as its own
 * property, which a middleware wrapped, so that the patch wraps that middleware's method; one patched already;
 * an HTTP/2 response) by own properties: V8 caches the shape those assignments make on a plain response.
 */
export function patchResponse(res: ServerResponse, replacements: Methods): Patch {
  const target = res as unknown as Methods;
  const proto = Object.getPrototypeOf(res) as object | null;
  const dispatchers =
    proto !== null &&
    proto !== ServerResponse.prototype &&
    Object.prototype.isPrototypeOf.call(ServerResponse.prototype, proto) &&
    !active.has(res) &&
    !Object.hasOwn(res, 'writeHead') &&
    !Object.hasOwn(res, 'write') &&
    !Object.hasOwn(res, 'end')
      ? dispatchersFor(proto)
      : undefined;
  // The methods in place before the patch: for a response patched through the dispatchers, the ones it would reach
  // without any dispatcher (on a sub-app's response, the app's are further up the chain).
  let writeHead: WriteFunction;
  let write: WriteFunction;
  let end: WriteFunction;
  if (dispatchers === undefined) ({ writeHead, write, end } = target);
  else {
    const above = Object.getPrototypeOf(dispatchers) as Methods;
    writeHead = pastDispatchers(above, 'writeHead');
    write = pastDispatchers(above, 'write');
    end = pastDispatchers(above, 'end');
  }
  if (dispatchers === undefined) {
    // Three named stores, not a loop of keyed ones: a keyed store of a new own property goes to the runtime.
    target.writeHead = replacements.writeHead;
    target.write = replacements.write;
    target.end = replacements.end;
  } else {
    active.set(res, replacements);
  }
  let restored = false;
  return {
    call: (method, args) =>
      (method === 'end' ? end : method === 'write' ? write : writeHead).apply(res, args as unknown[]),
    restore: () => {
      if (restored) return;
      restored = true;
      if (dispatchers === undefined) {
        // Assigned back, never deleted: deleting a property turns the response into a dictionary-mode object,
        // and every later access to it by Node's HTTP code, in this request and (through its inline caches) in
        // others, gets slower. An own property holding the prototype's method behaves exactly like none.
        target.writeHead = writeHead;
        target.write = write;
        target.end = end;
        return;
      }
      // The dispatchers stay: for a response no patch holds they call the methods they stand in front of.
      active.delete(res);
    },
  };
}
