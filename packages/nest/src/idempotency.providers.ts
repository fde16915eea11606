import { createIdempotency, type Idempotency } from '@idempo/core/adapter';
import type { Provider } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { IDEMPOTENCY_ENGINE, IDEMPOTENCY_OPTIONS } from './idempotency.constants.js';
import { IdempotencyInterceptor } from './idempotency.interceptor.js';
import type {
  IdempotencyModuleAsyncOptions,
  IdempotencyModuleFactoryOptions,
  IdempotencyOptionsFactory,
} from './idempotency.options.js';
import { IdempotencyRoutes } from './idempotency.routes.js';
import { IdempotencyStore } from './idempotency-store.js';

type Factory = (...args: unknown[]) => unknown;

/** The providers every variant of the module has; the engine validates the options once, at startup. */
export function coreProviders(global: boolean | undefined): Provider[] {
  const providers: Provider[] = [
    {
      provide: IDEMPOTENCY_ENGINE,
      useFactory: (options: IdempotencyModuleFactoryOptions & { global?: unknown }) => {
        const { global: _global, ...coreOptions } = options;
        return createIdempotency(coreOptions);
      },
      inject: [IDEMPOTENCY_OPTIONS],
    },
    {
      provide: IdempotencyStore,
      useFactory: (engine: Idempotency) => engine.store,
      inject: [IDEMPOTENCY_ENGINE],
    },
    IdempotencyRoutes,
    IdempotencyInterceptor,
  ];
  if (global !== false) providers.push({ provide: APP_INTERCEPTOR, useExisting: IdempotencyInterceptor });
  return providers;
}

/** The providers that make the options of `forRootAsync()`. */
export function asyncOptionsProviders(options: IdempotencyModuleAsyncOptions): Provider[] {
  if (options.useFactory) {
    return [
      {
        provide: IDEMPOTENCY_OPTIONS,
        useFactory: options.useFactory as Factory,
        inject: options.inject ?? [],
      },
    ];
  }
  const factoryClass = options.useClass ?? options.useExisting;
  if (!factoryClass) {
    throw new TypeError('IdempotencyModule.forRootAsync() needs useFactory, useClass or useExisting');
  }
  const providers: Provider[] = [
    {
      provide: IDEMPOTENCY_OPTIONS,
      useFactory: (factory: IdempotencyOptionsFactory) => factory.createIdempotencyOptions(),
      inject: [factoryClass],
    },
  ];
  if (options.useClass) providers.push({ provide: options.useClass, useClass: options.useClass });
  return providers;
}
