/**
 * The model adapter: the reference service served through core's engine with no framework at all, in the five
 * steps every adapter takes (build the IdempotencyRequest, begin, write a ready response, run and capture the
 * handler, commit or abandon). Framework adapters imitate it.
 */
import { createIdempotency, type IdempotencyRequest, type ReadyResponse } from '@idempo/core/adapter';
import {
  type AdapterApp,
  type AdapterAppOptions,
  type AdapterRequest,
  type AdapterResponse,
  createReferenceService,
  principalFromAuthorization,
  ReferenceHttpError,
  type ReferenceResponse,
} from '../src/index.js';

type Headers = Record<string, string | string[]>;
const encoder = new TextEncoder();

/** Request headers by lower-case name; repeated field lines become arrays. */
function lowerCased(input: AdapterRequest['headers'] = {}): Headers {
  const out: Headers = {};
  for (const [name, value] of Object.entries(input)) {
    const lower = name.toLowerCase();
    const values = [...(out[lower] ?? []), ...(typeof value === 'string' ? [value] : value)];
    out[lower] = values.length === 1 ? (values[0] as string) : values;
  }
  return out;
}

function fromReady(ready: ReadyResponse): AdapterResponse {
  const headers: Headers = {};
  for (const [name, value] of ready.headers) {
    const previous = headers[name];
    headers[name] =
      previous === undefined ? value : [...(typeof previous === 'string' ? [previous] : previous), value];
  }
  return { status: ready.status, headers, body: ready.body };
}

/** A handler's response whose body is bytes or text (a stream has been read to its end first). */
type BufferedResponse = ReferenceResponse & { readonly body: Uint8Array | string };

function fromHandler(response: BufferedResponse): AdapterResponse {
  const body = typeof response.body === 'string' ? encoder.encode(response.body) : response.body;
  const headers: Headers = { ...(response.headers as Headers), 'content-length': String(body.length) };
  return { status: response.status, headers, body };
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * A client disconnect, as well as an in-process app can show one: when `signal` aborts, the client's promise
 * rejects at once (it hears nothing more) while the request goes on being handled, committed included, as a
 * server goes on with a request whose socket has closed. A signal aborted before sending sends nothing.
 */
function disconnectable(
  signal: AbortSignal | undefined,
  send: () => Promise<AdapterResponse>,
): Promise<AdapterResponse> {
  if (signal === undefined) return send();
  const aborted = () => signal.reason ?? new DOMException('the client disconnected', 'AbortError');
  if (signal.aborted) return Promise.reject(aborted());
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(aborted());
    signal.addEventListener('abort', onAbort, { once: true });
    send().then(
      (response) => {
        signal.removeEventListener('abort', onAbort);
        resolve(response);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** An {@link AdapterApp} over core's engine and the reference service. */
export function createEngineApp(options: AdapterAppOptions): AdapterApp {
  const service = createReferenceService();
  const engine = createIdempotency<Headers>({
    ...options,
    principal: (request) => principalFromAuthorization(request.context['authorization']),
  });
  const handle = async (req: AdapterRequest): Promise<AdapterResponse> => {
    const mark = req.path.indexOf('?');
    const path = mark < 0 ? req.path : req.path.slice(0, mark);
    const query = mark < 0 ? '' : req.path.slice(mark + 1);
    const found = service.match(req.method, path);
    if (!found) return fromHandler({ status: 404, headers: {}, body: 'not found' });
    const headers = lowerCased(req.headers);
    const body = typeof req.body === 'string' ? encoder.encode(req.body) : req.body;
    const contentType = headers['content-type'];
    const run = () =>
      found.route.handle({
        params: found.params,
        query,
        body,
        contentType: typeof contentType === 'string' ? contentType : contentType?.[0],
        principal: principalFromAuthorization(headers['authorization']),
      });
    const idempotencyRequest: IdempotencyRequest<Headers> = {
      method: req.method,
      url: req.path,
      header: (name) => headers[name],
      body,
      route: found.route.idempotency,
      context: headers,
    };
    const decision = await engine.begin(idempotencyRequest);
    if (decision.kind === 'reject' || decision.kind === 'replay') return fromReady(decision.response);
    let response: ReferenceResponse;
    try {
      response = await run();
    } catch (error) {
      // This app's own error handling: an HTTP error answers with its status, anything else is a 500. What that
      // answer does to the key is core's to decide (J3).
      const answer: BufferedResponse =
        error instanceof ReferenceHttpError
          ? { status: error.status, headers: { 'content-type': 'text/plain' }, body: error.message }
          : { status: 500, headers: {}, body: 'internal error' };
      if (decision.kind === 'execute' && (await decision.threw(error))) await decision.commit(answer);
      return fromHandler(answer);
    }
    if (response.body instanceof ReadableStream) {
      // A stream is sent as it comes and never stored: the key is released.
      if (decision.kind === 'execute') await decision.abandon('stream');
      return fromHandler({ ...response, body: await readAll(response.body) });
    }
    const buffered = response as BufferedResponse;
    if (decision.kind === 'execute') await decision.commit(buffered);
    return fromHandler(buffered);
  };
  return { request: (req) => disconnectable(req.signal, () => handle(req)), close: async () => {} };
}
