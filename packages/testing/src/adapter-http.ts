/** Reading responses the app under test gave, whatever case its header names have. */
import type { AdapterResponse } from './adapter-types.js';

const decoder = new TextDecoder();

/** Every field value of header `name` (case-insensitive), one entry per field line. */
export function headerValues(response: AdapterResponse, name: string): string[] {
  const wanted = name.toLowerCase();
  const out: string[] = [];
  for (const [key, value] of Object.entries(response.headers)) {
    if (key.toLowerCase() !== wanted) continue;
    if (typeof value === 'string') out.push(value);
    else out.push(...value);
  }
  return out;
}

/** The value of header `name` (case-insensitive), field lines joined by `", "`, or `undefined` when absent. */
export function header(response: AdapterResponse, name: string): string | undefined {
  const values = headerValues(response, name);
  return values.length === 0 ? undefined : values.join(', ');
}

/** The body as UTF-8 text. */
export function bodyText(response: AdapterResponse): string {
  return decoder.decode(response.body);
}

/** The body parsed as JSON; throws with the status and text when it is not JSON. */
export function bodyJsonOf(response: AdapterResponse): unknown {
  const text = bodyText(response);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(
      `expected a JSON body, got status ${response.status} with ${JSON.stringify(text.slice(0, 200))}`,
    );
  }
}
