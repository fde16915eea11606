/**
 * Handlers that write a large answer themselves with `@Res()` (the Node.js response's `write`), for the streamed
 * response tests: one writes it all in one synchronous loop, one over several turns of the event loop.
 */
import type { ServerResponse } from 'node:http';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Controller, Post, Query, Res } from '@nestjs/common';

/** Executions per handler, since the last reset. */
export const bigRuns: Record<string, number> = {};
const run = (name: string): number => {
  const n = (bigRuns[name] ?? 0) + 1;
  bigRuns[name] = n;
  return n;
};

/** The Node.js response of Express's `Response` or of a `FastifyReply`. */
const rawOf = (res: ServerResponse & { raw?: ServerResponse }): ServerResponse => res.raw ?? res;

/** One reused MiB: the handler itself costs no memory, whatever it sends. */
const PIECE = Buffer.alloc(1024 * 1024, 0x62);

@Controller('big')
export class BigAnswerController {
  /** `?mb=<n>` MiB written in one synchronous loop, then `end()`. */
  @Post('sync')
  sync(@Res() res: ServerResponse & { raw?: ServerResponse }, @Query('mb') mb: string): void {
    run('sync');
    const raw = rawOf(res);
    raw.statusCode = 200;
    raw.setHeader('content-type', 'application/octet-stream');
    for (let i = 0; i < Number(mb); i++) raw.write(PIECE);
    raw.end();
  }

  /** `?kb=<n>` KiB in 16 KiB pieces, one per turn of the event loop: a stream. */
  @Post('turns')
  async turns(@Res() res: ServerResponse & { raw?: ServerResponse }, @Query('kb') kb: string): Promise<void> {
    const n = run('turns');
    const raw = rawOf(res);
    raw.statusCode = 200;
    raw.setHeader('content-type', 'text/plain');
    for (let i = 0; i < Number(kb) / 16; i++) {
      raw.write(Buffer.alloc(16 * 1024, 0x30 + (n % 10)));
      await nextTurn();
    }
    raw.end();
  }
}
