import { describe, expect, it } from 'vitest';
import { hasNoBody, isNoRouteStatus } from '../src/status.js';

describe('what HTTP says about a status', () => {
  it('1xx, 204, 205 and 304 have no body (RFC 9110); 200 and 404 do', () => {
    expect([100, 101, 204, 205, 304].map(hasNoBody)).toEqual([true, true, true, true, true]);
    expect([200, 201, 206, 404].map(hasNoBody)).toEqual([false, false, false, false]);
  });

  it('I6 404, 405 and 501 are the answers a framework gives when no route matched; 400, 410 and 500 are not', () => {
    expect([404, 405, 501].map(isNoRouteStatus)).toEqual([true, true, true]);
    expect([200, 400, 410, 500, 503].map(isNoRouteStatus)).toEqual([false, false, false, false, false]);
  });
});
