/** The headers a `writeHead` call passes, whichever of its forms it uses. */
import type { OutgoingHttpHeaders } from 'node:http';

/** The headers given to `writeHead(status, [message], [headers])`, as an object or a flat array of pairs. */
export function writeHeadHeaders(args: readonly unknown[]): OutgoingHttpHeaders | undefined {
  const last = typeof args[1] === 'string' ? args[2] : args[1];
  if (last === undefined || last === null || typeof last !== 'object') return undefined;
  const out: OutgoingHttpHeaders = {};
  if (!Array.isArray(last)) {
    for (const [name, value] of Object.entries(last as OutgoingHttpHeaders)) out[name.toLowerCase()] = value;
    return out;
  }
  const pairs: unknown[][] = Array.isArray(last[0])
    ? (last as unknown[][])
    : Array.from({ length: last.length / 2 }, (_, i) => [last[2 * i], last[2 * i + 1]]);
  for (const [name, value] of pairs) {
    const key = String(name).toLowerCase();
    const previous = out[key];
    const values = [...(previous === undefined ? [] : [previous].flat()), value].flat() as string[];
    out[key] = values.length === 1 ? values[0] : values;
  }
  return out;
}
