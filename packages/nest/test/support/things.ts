/** Nest-style controllers (returned values, exceptions, @HttpCode, @Header, streams) for the feature tests. */
import {
  Controller,
  Header,
  HttpCode,
  HttpException,
  NotFoundException,
  ParseIntPipe,
  Post,
  Put,
  Query,
  Res,
  StreamableFile,
  UseInterceptors,
} from '@nestjs/common';
import { of } from 'rxjs';
import { IdempotencyInterceptor, Idempotent, SkipIdempotency } from '../../src/index.js';

/** Executions per handler, since the last reset. */
export const runs: Record<string, number> = {};
const run = (name: string): number => {
  runs[name] = (runs[name] ?? 0) + 1;
  return runs[name];
};

@Controller('things')
export class ThingsController {
  @Post()
  create(): unknown {
    return { n: run('create'), note: 'ünïcode ✓' };
  }

  @Post('text')
  @HttpCode(200)
  @Header('X-Custom', 'yes')
  text(): string {
    return `text ${run('text')}`;
  }

  @Post('empty')
  @HttpCode(204)
  empty(): void {
    run('empty');
  }

  @Post('missing')
  missing(): never {
    throw new NotFoundException(`no such thing ${run('missing')}`);
  }

  @Post('conflict')
  conflict(): never {
    throw new HttpException({ code: 'taken', n: run('conflict') }, 409);
  }

  @Post('boom')
  boom(): never {
    throw new Error(`boom ${run('boom')}`);
  }

  @Post('file')
  file(): StreamableFile {
    return new StreamableFile(Buffer.from(`file ${run('file')}`));
  }

  @Post('web-stream')
  webStream(): ReadableStream<Uint8Array> {
    const n = run('web-stream');
    const chunks = [`web ${n} `, 'stream'];
    return new ReadableStream({
      pull(controller) {
        const chunk = chunks.shift();
        if (chunk === undefined) controller.close();
        else controller.enqueue(new TextEncoder().encode(chunk));
      },
    });
  }

  @Post('observable')
  observable(): unknown {
    return of({ n: run('observable') });
  }

  @Post('passthrough')
  passthrough(
    @Res({ passthrough: true }) res: { status(code: number): unknown; header(n: string, v: string): unknown },
  ): unknown {
    res.status(202);
    res.header('x-pass', `yes ${runs['passthrough'] ?? 0}`);
    return { n: run('passthrough') };
  }

  @Post('pipe')
  pipe(@Query('n', ParseIntPipe) n: number): unknown {
    return { n, run: run('pipe') };
  }

  @Post('required')
  @Idempotent({ required: true })
  required(): unknown {
    return { n: run('required') };
  }

  @Post('skip')
  @SkipIdempotency()
  skip(): unknown {
    return { n: run('skip') };
  }

  @Put('put')
  @Idempotent({ methods: ['PUT'] })
  put(): unknown {
    return { n: run('put') };
  }
}

@Controller('skipped')
@SkipIdempotency()
export class SkippedController {
  @Post()
  skipped(): unknown {
    return { n: run('skipped') };
  }

  @Post('on')
  @Idempotent()
  on(): unknown {
    return { n: run('skipped-on') };
  }
}

@Controller('guarded')
@UseInterceptors(IdempotencyInterceptor)
export class GuardedController {
  @Post()
  guarded(): unknown {
    return { n: run('guarded') };
  }
}

@Controller('invalid')
export class InvalidRouteController {
  @Post()
  @Idempotent({ leaseMs: -1 })
  invalid(): unknown {
    return {};
  }
}
