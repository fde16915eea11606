import type { RouteOptions } from '@idempo/core';
import type { Idempotency } from '@idempo/core/adapter';
import { type ExecutionContext, Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { IDEMPOTENCY_ENGINE, IDEMPOTENCY_ROUTE_METADATA } from './idempotency.constants.js';

/** A route's setting: its options, `false` to opt out, `undefined` for the module's options. */
export type RouteSetting = RouteOptions<unknown> | false | undefined;

/** What the interceptor needs to know of a handler. */
export interface RouteInfo {
  readonly setting: RouteSetting;
  /**
   * The handler takes `@Res()` or `@Next()` without `passthrough`: Nest sends nothing it returns, so a replay
   * or a rejection is written directly.
   */
  readonly respondsItself: boolean;
}

/** Nest's metadata keys (stable since Nest 7): route arguments, and `@Res({ passthrough })`. */
const ROUTE_ARGS_METADATA = '__routeArguments__';
const RESPONSE_PASSTHROUGH_METADATA = '__responsePassthrough__';
/** `RouteParamtypes.RESPONSE` and `RouteParamtypes.NEXT`. */
const RESPONSE_ARGUMENT = /^[12]:/;

type ReadMetadata = (key: string, target: object, property: string) => unknown;

function respondsItself(controller: Target, property: string): boolean {
  const read = (Reflect as unknown as { getMetadata?: ReadMetadata }).getMetadata;
  if (!read) return false;
  const args = read(ROUTE_ARGS_METADATA, controller, property);
  if (typeof args !== 'object' || args === null) return false;
  if (!Object.keys(args).some((key) => RESPONSE_ARGUMENT.test(key))) return false;
  return read(RESPONSE_PASSTHROUGH_METADATA, controller, property) !== true;
}

// biome-ignore lint/complexity/noBannedTypes: handlers and controllers are identified by their function objects.
type Target = Function;

/**
 * The route options of every handler, read once with `reflector.getAllAndOverride([handler, controller])`,
 * validated once by core and cached. Every controller's handlers are read and validated when the application
 * starts, so that a mistake in `@Idempotent()` options fails the start, not a request.
 */
@Injectable()
export class IdempotencyRoutes implements OnModuleInit {
  readonly #routes = new WeakMap<Target, WeakMap<Target, RouteInfo>>();

  constructor(
    @Inject(IDEMPOTENCY_ENGINE) private readonly engine: Idempotency<unknown>,
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
  ) {}

  /** Reads and validates the options of every handler of every controller. */
  onModuleInit(): void {
    for (const wrapper of this.discovery.getControllers()) {
      const controller = wrapper.metatype as Target | null | undefined;
      if (typeof controller !== 'function') continue;
      for (const [property, handler] of handlersOf(controller)) this.route(handler, controller, property);
    }
  }

  /** The route of the handler an execution context runs. */
  of(context: ExecutionContext): RouteInfo {
    const handler = context.getHandler();
    return (
      this.#routes.get(handler)?.get(context.getClass()) ??
      this.route(handler, context.getClass(), handler.name)
    );
  }

  private route(handler: Target, controller: Target, property: string): RouteInfo {
    let byController = this.#routes.get(handler);
    const known = byController?.get(controller);
    if (known) return known;
    const setting = this.reflector.getAllAndOverride<RouteSetting>(IDEMPOTENCY_ROUTE_METADATA, [
      handler,
      controller,
    ]);
    this.engine.validateRoute(setting);
    const route: RouteInfo = { setting, respondsItself: respondsItself(controller, property) };
    if (!byController) {
      byController = new WeakMap();
      this.#routes.set(handler, byController);
    }
    byController.set(controller, route);
    return route;
  }
}

/** The methods of a class and of the classes it extends, by name. */
function handlersOf(controller: Target): Map<string, Target> {
  const out = new Map<string, Target>();
  for (
    let proto: unknown = controller.prototype;
    proto && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto)
  ) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name === 'constructor' || out.has(name)) continue;
      const value = Object.getOwnPropertyDescriptor(proto, name)?.value as unknown;
      if (typeof value === 'function') out.set(name, value);
    }
  }
  return out;
}
