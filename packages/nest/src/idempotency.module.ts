import { type DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { IDEMPOTENCY_ENGINE, IDEMPOTENCY_OPTIONS } from './idempotency.constants.js';
import { IdempotencyInterceptor } from './idempotency.interceptor.js';
import type { IdempotencyModuleAsyncOptions, IdempotencyModuleOptions } from './idempotency.options.js';
import { asyncOptionsProviders, coreProviders } from './idempotency.providers.js';
import { IdempotencyRoutes } from './idempotency.routes.js';
import { IdempotencyStore } from './idempotency-store.js';

const EXPORTS = [
  IDEMPOTENCY_OPTIONS,
  IDEMPOTENCY_ENGINE,
  IdempotencyStore,
  IdempotencyRoutes,
  IdempotencyInterceptor,
];

/**
 * `Idempotency-Key` for a Nest application, on `@nestjs/platform-express` and `@nestjs/platform-fastify`. Import
 * it once, in the root module; it is global, so `IdempotencyInterceptor` and the `IdempotencyStore` token can be
 * used in every module. Create the application with `{ rawBody: true }` so that fingerprints cover the bytes
 * received.
 *
 * @example
 * ```ts
 * @Module({ imports: [IdempotencyModule.forRoot({ store: new MemoryStore() })], controllers: [OrdersController] })
 * export class AppModule {}
 * ```
 */
@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: a Nest module is a class; forRoot/forRootAsync are its API.
export class IdempotencyModule {
  /** Configures the module with options known up front; they are validated once, when the application starts. */
  static forRoot<TRequest = unknown>(options: IdempotencyModuleOptions<TRequest>): DynamicModule {
    return {
      module: IdempotencyModule,
      global: true,
      imports: [DiscoveryModule],
      providers: [{ provide: IDEMPOTENCY_OPTIONS, useValue: options }, ...coreProviders(options.global)],
      exports: EXPORTS,
    };
  }

  /**
   * Configures the module with options made by a factory (`useFactory` + `inject`), a class (`useClass`) or an
   * existing provider (`useExisting`), e.g. to build the store from a `ConfigService`.
   */
  static forRootAsync<TRequest = unknown>(options: IdempotencyModuleAsyncOptions<TRequest>): DynamicModule {
    return {
      module: IdempotencyModule,
      global: true,
      imports: [DiscoveryModule, ...(options.imports ?? [])],
      providers: [
        ...asyncOptionsProviders(options as IdempotencyModuleAsyncOptions),
        ...coreProviders(options.global),
      ],
      exports: EXPORTS,
    };
  }
}
