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

/**
 * Replaces `writeHead`, `write` and `end` of `res` by own properties. Three named stores, not a loop of keyed
 * ones: Express gives every response a prototype of its own (`Object.setPrototypeOf`), so keyed stores of new
 * own properties went to the runtime on every request.
 */
export function patchResponse(res: ServerResponse, replacements: Record<WriteMethod, WriteFunction>): Patch {
  const target = res as unknown as Record<WriteMethod, WriteFunction>;
  const { writeHead, write, end } = target;
  target.writeHead = replacements.writeHead;
  target.write = replacements.write;
  target.end = replacements.end;
  let restored = false;
  return {
    call: (method, args) =>
      (method === 'end' ? end : method === 'write' ? write : writeHead).apply(res, args as unknown[]),
    restore: () => {
      if (restored) return;
      restored = true;
      // Assigned back, never deleted: deleting a property turns the response into a dictionary-mode object, and
      // every later access to it by Node's HTTP code, in this request and (through its inline caches) in others,
      // gets slower. An own property holding the prototype's method behaves exactly like no own property.
      target.writeHead = writeHead;
      target.write = write;
      target.end = end;
    },
  };
}
