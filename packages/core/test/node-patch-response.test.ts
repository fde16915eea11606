/**
 * patchResponse on real `node:http` responses [C14] [C15]: the three write methods are replaced until restore,
 * whichever way they are (own properties on a plain ServerResponse, dispatchers in the prototype chain of a
 * response whose prototype a framework set, as Express does), and a method a middleware wrapped before is wrapped,
 * not lost.
 */
import { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { patchResponse, type WriteFunction } from '../src/node/patch-response.js';
import { listen, type Served, send } from './support/node-server.js';

let served: Served | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

/** What an Express app gives each response: a prototype of the app's, over ServerResponse's. */
const appResponse = Object.create(ServerResponse.prototype, {
  status: {
    value(this: ServerResponse, code: number) {
      this.statusCode = code;
      return this;
    },
  },
}) as object;

/** Replacements that upper-case what is written and record the calls. */
function shouting(calls: string[]) {
  let patch: ReturnType<typeof patchResponse> | undefined;
  const replacements: Record<'writeHead' | 'write' | 'end', WriteFunction> = {
    writeHead(...args) {
      calls.push('writeHead');
      return patch?.call('writeHead', args);
    },
    write(...args) {
      calls.push('write');
      return patch?.call('write', [String(args[0]).toUpperCase()]);
    },
    end(...args) {
      calls.push('end');
      patch?.restore();
      return patch?.call('end', args[0] === undefined ? [] : [String(args[0]).toUpperCase()]);
    },
  };
  return {
    replacements,
    bind: (made: ReturnType<typeof patchResponse>) => {
      patch = made;
    },
  };
}

describe('patchResponse', () => {
  it('C14 on a response whose prototype a framework set: no own property and no prototype change, the writes go through dispatchers put once in that prototype chain', async () => {
    const calls: string[] = [];
    const seen: { own: boolean[]; protos: unknown[]; status: number } = { own: [], protos: [], status: 0 };
    const above: unknown[] = [];
    served = await listen((_req, res) => {
      Object.setPrototypeOf(res, appResponse);
      const { replacements, bind } = shouting(calls);
      bind(patchResponse(res, replacements));
      seen.own = ['writeHead', 'write', 'end'].map((name) => Object.hasOwn(res, name));
      seen.protos.push(Object.getPrototypeOf(res));
      above.push(Object.getPrototypeOf(appResponse));
      (res as unknown as { status(code: number): ServerResponse }).status(201);
      res.writeHead(201, { 'content-type': 'text/plain' });
      res.write('hel');
      res.end('lo');
      seen.protos.push(Object.getPrototypeOf(res));
      seen.status = res.statusCode;
    });
    const answer = await send(served.port);
    expect(answer.body.toString()).toBe('HELLO');
    expect(answer.status).toBe(201);
    expect(calls).toEqual(['writeHead', 'write', 'end']);
    expect(seen.own).toEqual([false, false, false]);
    expect(seen.protos[0]).toBe(appResponse);
    expect(seen.protos[1]).toBe(appResponse);
    // The dispatchers sit between the app's prototype and ServerResponse's, once for every response.
    const dispatchers = above[0] as object;
    expect(dispatchers).not.toBe(ServerResponse.prototype);
    expect(Object.getPrototypeOf(dispatchers)).toBe(ServerResponse.prototype);
    expect(Object.hasOwn(dispatchers, 'end')).toBe(true);
    await send(served.port);
    expect(above[1]).toBe(dispatchers);
    expect(calls).toEqual(['writeHead', 'write', 'end', 'writeHead', 'write', 'end']);
  });

  it('C14 a response that enters an Express sub-app while patched (its prototype then the sub-app one, which inherits the app one) still writes through the patch', async () => {
    const calls: string[] = [];
    const subAppResponse = Object.create(appResponse) as object;
    served = await listen((_req, res) => {
      Object.setPrototypeOf(res, appResponse);
      const { replacements, bind } = shouting(calls);
      bind(patchResponse(res, replacements));
      // What Express does when the request enters a mounted sub-app (its expressInit), and after it leaves.
      Object.setPrototypeOf(res, subAppResponse);
      res.write('sub ');
      Object.setPrototypeOf(res, appResponse);
      res.end('app');
    });
    expect((await send(served.port)).body.toString()).toBe('SUB APP');
    // The first write makes Node write the head (writeHead), through the patch too.
    expect(calls).toEqual(['write', 'writeHead', 'end']);
  });

  it('C14 a sub-app response patched below the app dispatchers (both prototypes hold some): each write reaches the patch once, an explicit writeHead too', async () => {
    const calls: string[] = [];
    const appLevel = Object.create(ServerResponse.prototype) as object;
    const subLevel = Object.create(appLevel) as object;
    let turn = 0;
    served = await listen((_req, res) => {
      // The first request patches at the app level, the second at the sub-app level: both get dispatchers.
      Object.setPrototypeOf(res, turn++ === 0 ? appLevel : subLevel);
      const { replacements, bind } = shouting(calls);
      bind(patchResponse(res, replacements));
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('once ');
      res.end('each');
    });
    expect((await send(served.port)).body.toString()).toBe('ONCE EACH');
    expect((await send(served.port)).body.toString()).toBe('ONCE EACH');
    expect(calls).toEqual(['writeHead', 'write', 'end', 'writeHead', 'write', 'end']);
  });

  it('C14 the dispatchers pass every response no patch holds straight through, beside a patched one', async () => {
    const calls: string[] = [];
    let turn = 0;
    served = await listen((_req, res) => {
      Object.setPrototypeOf(res, appResponse);
      if (turn++ === 0) {
        const { replacements, bind } = shouting(calls);
        bind(patchResponse(res, replacements));
      }
      res.end('as written');
    });
    expect((await send(served.port)).body.toString()).toBe('AS WRITTEN');
    expect((await send(served.port)).body.toString()).toBe('as written');
    expect(calls).toEqual(['end']);
  });

  it('C14 a method reference taken while patched calls the original once the patch is restored', async () => {
    const calls: string[] = [];
    served = await listen((_req, res) => {
      Object.setPrototypeOf(res, appResponse);
      const { replacements, bind } = shouting(calls);
      const patch = patchResponse(res, replacements);
      bind(patch);
      const kept = res.end;
      patch.restore();
      patch.restore();
      (kept as (this: ServerResponse, chunk: string) => void).call(res, 'untouched');
    });
    const answer = await send(served.port);
    expect(answer.body.toString()).toBe('untouched');
    expect(calls).toEqual([]);
  });

  it('C14 a prototype someone else set while patched stays theirs at restore', async () => {
    const other = Object.create(ServerResponse.prototype) as object;
    let after: unknown;
    served = await listen((_req, res) => {
      Object.setPrototypeOf(res, appResponse);
      const patch = patchResponse(res, shouting([]).replacements);
      Object.setPrototypeOf(res, other);
      patch.restore();
      after = Object.getPrototypeOf(res);
      res.end('ok');
    });
    expect((await send(served.port)).body.toString()).toBe('ok');
    expect(after).toBe(other);
  });

  it('C14 a write method a middleware wrapped as an own property is wrapped in turn, and put back at restore', async () => {
    const calls: string[] = [];
    const wrapped: string[] = [];
    let restoredEnd: unknown;
    served = await listen((_req, res) => {
      Object.setPrototypeOf(res, appResponse);
      const original = res.end;
      const middlewareEnd = function (this: ServerResponse, ...args: unknown[]) {
        wrapped.push(String(args[0]));
        return original.apply(this, args as Parameters<typeof original>);
      };
      res.end = middlewareEnd as typeof res.end;
      const { replacements, bind } = shouting(calls);
      bind(patchResponse(res, replacements));
      res.end('done');
      restoredEnd = res.end === (middlewareEnd as unknown);
    });
    expect((await send(served.port)).body.toString()).toBe('DONE');
    expect(calls).toEqual(['end']);
    expect(wrapped).toEqual(['DONE']);
    expect(restoredEnd).toBe(true);
  });

  it('C15 on a plain ServerResponse: own properties while patched, the prototype methods again after restore', async () => {
    const seen: boolean[] = [];
    served = await listen((_req, res) => {
      const { replacements, bind } = shouting([]);
      const patch = patchResponse(res, replacements);
      bind(patch);
      seen.push(Object.hasOwn(res, 'end'), Object.getPrototypeOf(res) === ServerResponse.prototype);
      res.end('plain');
      seen.push(res.end === ServerResponse.prototype.end);
    });
    expect((await send(served.port)).body.toString()).toBe('PLAIN');
    expect(seen).toEqual([true, true, true]);
  });
});
