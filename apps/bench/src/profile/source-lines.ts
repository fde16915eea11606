/**
 * Which original source file a line of a built file came from, read off its source map (the `mappings` VLQ of
 * source map v3): enough to tell core's engine, memory store and Node layer apart inside tsup's shared chunks.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Map<string, number>([...BASE64].map((c, i) => [c, i]));

/** The VLQ values of one segment (`AAAA` -> [0, 0, 0, 0]). */
function decodeSegment(segment: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const c of segment) {
    const digit = DIGIT.get(c);
    if (digit === undefined) throw new Error(`not a base64 VLQ digit: ${c}`);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    values.push(value & 1 ? -(value >>> 1) : value >>> 1);
    value = 0;
    shift = 0;
  }
  return values;
}

/** Per generated line (0-based), its segments as [generated column, source index], in column order. */
export type LineSources = readonly (readonly (readonly [number, number])[])[];

/** Decodes `mappings` into the source index of every segment, line by line. */
export function decodeLineSources(mappings: string): LineSources {
  const lines: [number, number][][] = [];
  let source = 0;
  for (const line of mappings.split(';')) {
    const segments: [number, number][] = [];
    let column = 0;
    for (const segment of line.split(',')) {
      if (segment === '') continue;
      const values = decodeSegment(segment);
      column += values[0] ?? 0;
      if (values.length >= 4) {
        source += values[1] ?? 0;
        segments.push([column, source]);
      }
    }
    lines.push(segments);
  }
  return lines;
}

/** Maps (line, column) of a built file, both 0-based, to its original source path; `undefined` off the map. */
export type SourceOf = (line: number, column: number) => string | undefined;

/** Reads `<file>.map` beside a built file; `undefined` when there is none. */
export function sourceMapOf(file: string): SourceOf | undefined {
  const mapFile = `${file}.map`;
  if (!existsSync(mapFile)) return undefined;
  const map = JSON.parse(readFileSync(mapFile, 'utf8')) as { sources: string[]; mappings: string };
  const lines = decodeLineSources(map.mappings);
  const sources = map.sources.map((source) => resolve(dirname(file), source));
  return (line, column) => {
    const segments = lines[line];
    if (!segments || segments.length === 0) return undefined;
    let found = segments[0];
    for (const segment of segments) {
      if (segment[0] > column) break;
      found = segment;
    }
    return found === undefined ? undefined : sources[found[1]];
  };
}
