import type { IdempotencyOptions } from '@idempo/core';
import type { InjectionToken, ModuleMetadata, OptionalFactoryDependency, Type } from '@nestjs/common';

/**
 * Options of `IdempotencyModule.forRoot()`: every option of `createIdempotency()` from `@idempo/core` (`store` is
 * required; the others and their defaults are listed in core's README), plus the module's own `global`.
 *
 * `TRequest` is the platform's request object, handed to `principal` and `fingerprint` functions as
 * `request.context`: Express's `Request` on `@nestjs/platform-express`, a `FastifyRequest` on
 * `@nestjs/platform-fastify`. Guards have run by then, so `context.user` set by an auth guard is there.
 */
export interface IdempotencyModuleOptions<TRequest = unknown> extends IdempotencyOptions<TRequest> {
  /**
   * Registers `IdempotencyInterceptor` for every route of the application (as an `APP_INTERCEPTOR`). With
   * `false`, apply it where you want it with `@UseInterceptors(IdempotencyInterceptor)`. Default `true`.
   */
  readonly global?: boolean | undefined;
}

/** The options a factory of `forRootAsync()` returns: everything but `global`, which the module needs first. */
export type IdempotencyModuleFactoryOptions<TRequest = unknown> = Omit<
  IdempotencyModuleOptions<TRequest>,
  'global'
>;

/** A class that makes the options, for `forRootAsync({ useClass })` or `forRootAsync({ useExisting })`. */
export interface IdempotencyOptionsFactory<TRequest = unknown> {
  /** Makes the options, once, when the module is created. */
  createIdempotencyOptions():
    | IdempotencyModuleFactoryOptions<TRequest>
    | Promise<IdempotencyModuleFactoryOptions<TRequest>>;
}

/**
 * Options of `IdempotencyModule.forRootAsync()`: exactly one of `useFactory` (with `inject`), `useClass` or
 * `useExisting` makes the options.
 */
export interface IdempotencyModuleAsyncOptions<TRequest = unknown> extends Pick<ModuleMetadata, 'imports'> {
  /** See {@link IdempotencyModuleOptions.global}. Default `true`. */
  readonly global?: boolean | undefined;
  /** Makes the options; its arguments are the providers named in `inject`. */
  readonly useFactory?:
    | ((
        ...args: never[]
      ) => IdempotencyModuleFactoryOptions<TRequest> | Promise<IdempotencyModuleFactoryOptions<TRequest>>)
    | undefined;
  /** The providers `useFactory` receives, in order. Default none. */
  readonly inject?: (InjectionToken | OptionalFactoryDependency)[] | undefined;
  /** A class the module instantiates to make the options. */
  readonly useClass?: Type<IdempotencyOptionsFactory<TRequest>> | undefined;
  /** An existing provider (from `imports`) that makes the options. */
  readonly useExisting?: Type<IdempotencyOptionsFactory<TRequest>> | undefined;
}
