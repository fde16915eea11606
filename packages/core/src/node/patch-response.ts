/**
 * Replacing `writeHead`, `write` and `end` of a Node `ServerResponse` for the duration of one request.
 * Everything a framework, its interceptors or error handlers send passes there, serialised, so this is where an
 * adapter sees exactly the bytes a client receives.
 */
import type { ServerResponse } from 'node:http';

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

type Writable = Record<WriteMethod, WriteFunction>;

/**
 * The replaced methods of one response. A class, not two closures over them: Express gives every response a map
 * of its own (`Object.setPrototypeOf` per request), so whatever a request allocates around the response is paid
 * on every request, never amortised.
 */
class ResponsePatch implements Patch {
  #restored = false;
  readonly #res: ServerResponse;
  readonly #writeHead: WriteFunction;
  readonly #write: WriteFunction;
  readonly #end: WriteFunction;

  constructor(res: ServerResponse, writeHead: WriteFunction, write: WriteFunction, end: WriteFunction) {
    this.#res = res;
    this.#writeHead = writeHead;
    this.#write = write;
    this.#end = end;
  }

  call(method: WriteMethod, args: readonly unknown[]): unknown {
    const original = method === 'end' ? this.#end : method === 'write' ? this.#write : this.#writeHead;
    return original.apply(this.#res, args as unknown[]);
  }

  restore(): void {
    if (this.#restored) return;
    this.#restored = true;
    // Assigned back, never deleted: deleting a property turns the response into a dictionary-mode object, and
    // every later access to it by Node's HTTP code, in this request and (through its inline caches) in others,
    // gets slower. An own property holding the prototype's method behaves exactly like no own property.
    const target = this.#res as unknown as Writable;
    target.writeHead = this.#writeHead;
    target.write = this.#write;
    target.end = this.#end;
  }
}

/**
 * Replaces `writeHead`, `write` and `end` of `res` by own properties. Three named stores, not a loop of keyed
 * ones: Express gives every response a prototype of its own (`Object.setPrototypeOf`), so keyed stores of new
 * own properties went to the runtime on every request.
 */
export function patchResponse(res: ServerResponse, replacements: Record<WriteMethod, WriteFunction>): Patch {
  const target = res as unknown as Writable;
  const patch = new ResponsePatch(res, target.writeHead, target.write, target.end);
  target.writeHead = replacements.writeHead;
  target.write = replacements.write;
  target.end = replacements.end;
  return patch;
}
