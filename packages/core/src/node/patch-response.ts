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

/** The replacements of each response patched through its prototype, until its restore. */
const active = new WeakMap<object, Methods>();
/** For each prototype a patched response had: the prototype that stands in for it while a patch holds. */
const standIns = new WeakMap<object, object>();

/**
 * The stand-in for `proto`: it inherits everything from `proto` and has the three write methods, which call a
 * patched response's replacement, or `proto`'s method (looked up at the call) for a response no patch holds
 * any more (a method reference someone kept while the patch held).
 */
function standInFor(proto: object): object {
  let standIn = standIns.get(proto);
  if (standIn !== undefined) return standIn;
  const original = proto as Methods;
  const method = (name: WriteMethod) => ({
    value: function (this: ServerResponse, ...args: unknown[]): unknown {
      const replacements = active.get(this);
      return (replacements ?? original)[name].apply(this, args);
    },
    writable: true,
    configurable: true,
  });
  standIn = Object.create(proto, {
    writeHead: method('writeHead'),
    write: method('write'),
    end: method('end'),
  }) as object;
  standIns.set(proto, standIn);
  return standIn;
}

/**
 * Replaces `writeHead`, `write` and `end` of `res`. On a plain `ServerResponse` (Fastify, Koa, Node's own
 * server), by own properties: V8 caches the shape those assignments make, and every response shares it. On a
 * response whose prototype was changed (Express sets its app's on every request, `Object.setPrototypeOf`), by
 * a stand-in prototype instead: there, each new own property costs V8 a shape of its own (about 4-10 µs each on
 * Node 20), and every later access to the response by Node's and the framework's code is slower for it (its
 * inline caches see a new shape per request). The stand-in is made once per prototype, and setting a cached
 * prototype costs no new shape. A response that already has one of the methods as its own property (a
 * middleware wrapped it) is patched by own properties, so that the patch wraps that middleware's method.
 */
export function patchResponse(res: ServerResponse, replacements: Methods): Patch {
  const target = res as unknown as Methods;
  const { writeHead, write, end } = target;
  const proto = Object.getPrototypeOf(res) as object | null;
  const own =
    proto === null ||
    proto === ServerResponse.prototype ||
    Object.hasOwn(res, 'writeHead') ||
    Object.hasOwn(res, 'write') ||
    Object.hasOwn(res, 'end');
  let standIn: object | undefined;
  if (own) {
    // Three named stores, not a loop of keyed ones: a keyed store of a new own property goes to the runtime.
    target.writeHead = replacements.writeHead;
    target.write = replacements.write;
    target.end = replacements.end;
  } else {
    standIn = standInFor(proto);
    active.set(res, replacements);
    Object.setPrototypeOf(res, standIn);
  }
  let restored = false;
  return {
    call: (method, args) =>
      (method === 'end' ? end : method === 'write' ? write : writeHead).apply(res, args as unknown[]),
    restore: () => {
      if (restored) return;
      restored = true;
      if (own) {
        // Assigned back, never deleted: deleting a property turns the response into a dictionary-mode object,
        // and every later access to it by Node's HTTP code, in this request and (through its inline caches) in
        // others, gets slower. An own property holding the prototype's method behaves exactly like none.
        target.writeHead = writeHead;
        target.write = write;
        target.end = end;
        return;
      }
      active.delete(res);
      // Someone who set another prototype since (an Express sub-app leaving) keeps theirs: the stand-in's
      // methods, if still reached, call the original ones now.
      if (Object.getPrototypeOf(res) === standIn) Object.setPrototypeOf(res, proto);
    },
  };
}
