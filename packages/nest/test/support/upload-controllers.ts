/**
 * Upload handlers written the Nest way, for the upload tests: multer's `FileInterceptor` (Express), and a handler
 * that reads the request stream itself through `@Req()` (both platforms; Fastify's multipart parser leaves it).
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Body, Controller, Post, Req, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { IdempotencyInterceptor } from '../../src/index.js';

/** Executions per handler, since the last reset. */
export const uploadRuns: Record<string, number> = {};
const run = (name: string): number => {
  const n = (uploadRuns[name] ?? 0) + 1;
  uploadRuns[name] = n;
  return n;
};

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

interface MulterFile {
  readonly fieldname: string;
  readonly originalname: string;
  readonly size: number;
  readonly buffer: Buffer;
}

/** What a handler answers about a file: enough to tell which bytes it got. */
function describeFile(file: MulterFile | undefined) {
  if (!file) return null;
  return { field: file.fieldname, filename: file.originalname, size: file.size, sha256: sha256(file.buffer) };
}

@Controller('multer')
export class MulterController {
  @Post()
  @UseInterceptors(FileInterceptor('upload'))
  upload(@UploadedFile() file: MulterFile | undefined, @Body() fields: Record<string, string>): unknown {
    return { n: run('multer'), fields: { ...fields }, file: describeFile(file) };
  }
}

/** `global: false`, and multer placed before idempo: it has read the body when idempo runs. */
@Controller('multer-first')
export class MulterFirstController {
  @Post()
  @UseInterceptors(FileInterceptor('upload'), IdempotencyInterceptor)
  upload(@UploadedFile() file: MulterFile | undefined): unknown {
    return { n: run('multer-first'), file: describeFile(file) };
  }
}

/** The Node.js request of Express's `Request` or of a `FastifyRequest`. */
const streamOf = (req: Readable & { raw?: Readable }): Readable => req.raw ?? req;

@Controller('streamed')
export class StreamedController {
  /** Reads the request stream itself and answers the length and SHA-256 of what it read. */
  @Post()
  async read(@Req() req: Readable & { raw?: Readable }): Promise<unknown> {
    const n = run('streamed');
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of streamOf(req)) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    return { n, size, sha256: hash.digest('hex') };
  }
}
