/** A request target as received, split once for every adapter. */

/** The target's path and query: origin-form `/a/b?x`, or an absolute URL whose scheme and authority are dropped. */
export function splitTarget(url: string): { path: string; query: string } {
  let start = 0;
  if (url.charCodeAt(0) !== 0x2f) {
    const scheme = url.indexOf('://');
    if (scheme >= 0) {
      const slash = url.indexOf('/', scheme + 3);
      const mark = url.indexOf('?', scheme + 3);
      if (slash < 0 || (mark >= 0 && mark < slash)) {
        return { path: '/', query: mark < 0 ? '' : url.slice(mark + 1) };
      }
      start = slash;
    }
  }
  const mark = url.indexOf('?', start);
  return mark < 0
    ? { path: start === 0 ? url : url.slice(start), query: '' }
    : { path: url.slice(start, mark), query: url.slice(mark + 1) };
}
