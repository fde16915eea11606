import { describe, expect, it } from 'vitest';
import { storageKey } from '../src/storage-key.js';

describe('storageKey', () => {
  it('G43 separators in one field cannot make two triples meet', () => {
    const keys = new Set([
      storageKey({ scope: 'a:b', principal: 'c', key: 'd' }),
      storageKey({ scope: 'a', principal: 'b:c', key: 'd' }),
      storageKey({ scope: 'a', principal: 'b', key: 'c:d' }),
      storageKey({ scope: 'a|b', principal: '', key: 'c' }),
      storageKey({ scope: 'a', principal: 'b|', key: 'c' }),
      storageKey({ scope: '1:a', principal: '', key: 'b' }),
      storageKey({ scope: '', principal: '1:a', key: 'b' }),
      storageKey({ key: 'b' }),
    ]);
    expect(keys.size).toBe(8);
  });

  it('has a bounded length whatever the client sent, and is deterministic', () => {
    const long = storageKey({
      scope: 's'.repeat(10_000),
      principal: 'p'.repeat(10_000),
      key: 'k'.repeat(255),
    });
    expect(long).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(storageKey({ scope: 'x', principal: 'y', key: 'z' })).toBe(
      storageKey({ scope: 'x', principal: 'y', key: 'z' }),
    );
    expect(storageKey({ key: 'Z' })).not.toBe(storageKey({ key: 'z' }));
  });

  it('keeps its pinned digests: records stored by earlier versions must still be found', () => {
    expect(storageKey({ key: 'k-1' })).toBe('lYBJDugXqKRDcKzOndMk2btnl14Aff-LR1eIehdc0Ns');
    expect(storageKey({ scope: 'api:v1', principal: 'user-é-42', key: 'abc:def' })).toBe(
      'V5ErdihcfHQUf0rKCQecQaDuq9BJ05mANag4EzBz8FY',
    );
    expect(storageKey({ scope: '\udc00', principal: '😀', key: 'x' })).toBe(
      'jP_wzNAjUO4Q8Drzcej6X3dXZHUgkdHDokZ58wfp308',
    );
  });
});
