/**
 * A plain controller whose handlers hold until the test lets them go, for the client-disconnect tests: the test
 * sees the handler start, disconnects the client, checks what a retry gets meanwhile, then lets the handler end.
 */
import type { Socket } from 'node:net';
import { Controller, HttpException, Post, Req, Res } from '@nestjs/common';

/** Executions per handler, since the last reset. */
export const heldRuns: Record<string, number> = {};

interface Held {
  /** Resolves when the first execution has started, with the socket of its request. */
  readonly started: Promise<Socket>;
  /** Lets the first execution go on. */
  release(): void;
}

let current: { onStart(socket: Socket): void; gate: Promise<void> } | undefined;

/** Arms the hold: the next first execution of a handler waits until `release()`. */
export function holdNext(): Held {
  let onStart: (socket: Socket) => void = () => undefined;
  let release: () => void = () => undefined;
  const started = new Promise<Socket>((resolve) => {
    onStart = resolve;
  });
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  current = { onStart, gate };
  return { started, release };
}

/** The Node.js socket of Express's `Request` or of a `FastifyRequest`. */
function socketOf(req: { socket?: Socket; raw?: { socket: Socket } }): Socket {
  return (req.raw?.socket ?? req.socket) as Socket;
}

async function run(name: string, req: { socket?: Socket; raw?: { socket: Socket } }): Promise<number> {
  const n = (heldRuns[name] ?? 0) + 1;
  heldRuns[name] = n;
  const held = current;
  if (n === 1 && held) {
    current = undefined;
    held.onStart(socketOf(req));
    await held.gate;
  }
  return n;
}

@Controller('held')
export class HeldController {
  @Post()
  async create(@Req() req: { socket?: Socket }): Promise<unknown> {
    return { n: await run('create', req) };
  }

  @Post('refused')
  async refused(@Req() req: { socket?: Socket }): Promise<never> {
    throw new HttpException({ code: 'refused', n: await run('refused', req) }, 402);
  }

  @Post('boom')
  async boom(@Req() req: { socket?: Socket }): Promise<never> {
    throw new Error(`boom ${await run('boom', req)}`);
  }

  @Post('itself')
  async itself(
    @Req() req: { socket?: Socket },
    @Res() res: { status(code: number): { send(body: string): unknown } },
  ): Promise<void> {
    const n = await run('itself', req);
    res.status(201).send(`itself ${n}`);
  }
}
