/**
 * Multipart uploads through `POST /forms` (issue 15 items 5, 6 and 9), whose handler reads the request stream
 * the way a real upload handler of the framework does and answers the size and SHA-256 of each file it got. The
 * fingerprint covers the parts (names, filenames, types, bytes), not the boundary a client draws: an identical
 * retry with a new boundary is a replay, another byte or field value is a 422; and the handler sees every byte.
 */
import { expect, it } from 'vitest';
import { quoted, type SuiteClient } from './adapter-client.js';
import { expectNotReplayed, expectProblem, expectReplayOf } from './adapter-expectations.js';
import { bodyJsonOf } from './adapter-http.js';
import type { AdapterSuiteContext } from './adapter-suite-context.js';
import type { AdapterResponse } from './adapter-types.js';
import { multipartBody, sha256Hex } from './multipart.js';
import { randomBytes, randomHex } from './random.js';

/** Every byte value, twice, with CR LF and dashes runs a naive parser could take for a delimiter. */
function awkwardBytes(): Uint8Array {
  const out = new Uint8Array(512 + 8);
  for (let i = 0; i < 512; i++) out[i] = i & 0xff;
  out.set([0x0d, 0x0a, 0x2d, 0x2d, 0x2d, 0x2d, 0x0d, 0x0a], 512);
  return out;
}

/** A fresh boundary, as fetch or a browser draws one per request. */
const boundary = (label: string) => `----idempo${label}${randomHex(8)}`;

interface Upload {
  readonly note: string;
  readonly file: Uint8Array;
}

function sendUpload(
  client: SuiteClient,
  key: string | undefined,
  upload: Upload,
  label: string,
): Promise<AdapterResponse> {
  const body = multipartBody(boundary(label), [
    { name: 'note', value: upload.note },
    { name: 'upload', filename: 'data.bin', type: 'application/octet-stream', bytes: upload.file },
  ]);
  return client.send('POST', '/forms', { key, bytes: body.bytes, contentType: body.contentType });
}

/** Asserts the handler's answer: 200 and exactly the field and the file bytes that were sent. */
async function expectSeen(response: AdapterResponse, upload: Upload): Promise<void> {
  expect(response.status, 'POST /forms answers 200').toBe(200);
  expect(bodyJsonOf(response), 'the handler saw the whole body: every part, every byte').toEqual({
    fields: { note: upload.note },
    files: [
      {
        field: 'upload',
        filename: 'data.bin',
        type: 'application/octet-stream',
        size: upload.file.length,
        sha256: await sha256Hex(upload.file),
      },
    ],
  });
}

/** Issue 15 items 5, 6, 9 (BEHAVIOUR C15, D26): multipart bodies. */
export function defineUploadCases(ctx: AdapterSuiteContext): void {
  it(
    'C15 D26 [15.9] [15.5] [15.6] a multipart upload: the handler sees every byte, an identical retry with another boundary replays, another file byte or field value is a 422',
    async () => {
      const client = ctx.client();
      const key = quoted(ctx.key());
      const upload: Upload = { note: 'hello', file: awkwardBytes() };
      const first = await sendUpload(client, key, upload, 'A');
      await expectSeen(first, upload);
      expectNotReplayed(first);
      expectReplayOf(await sendUpload(client, key, upload, 'B'), first);
      expect(await client.executions('POST /forms')).toBe(1);

      const otherByte = upload.file.slice();
      otherByte[100] = (otherByte[100] as number) ^ 0x01;
      expectProblem(await sendUpload(client, key, { ...upload, file: otherByte }, 'C'), 422);
      expectProblem(await sendUpload(client, key, { ...upload, note: 'hellp' }, 'D'), 422);
      expect(await client.executions('POST /forms'), 'a mismatch never runs the handler').toBe(1);
      expectReplayOf(await sendUpload(client, key, upload, 'E'), first);
    },
    ctx.timeout,
  );

  it(
    'C15 [15.5] [15.6] a 300 KiB file (under the 1 MiB default) reaches the handler whole, keyed or not, and its retry with another boundary replays',
    async () => {
      const client = ctx.client();
      const key = quoted(ctx.key());
      const upload: Upload = { note: 'big', file: randomBytes(300 * 1024) };
      const first = await sendUpload(client, key, upload, 'A');
      await expectSeen(first, upload);
      expectReplayOf(await sendUpload(client, key, upload, 'B'), first);
      expect(await client.executions('POST /forms')).toBe(1);
      await expectSeen(await sendUpload(client, undefined, upload, 'C'), upload);
      expect(await client.executions('POST /forms')).toBe(2);
    },
    ctx.timeout,
  );
}
