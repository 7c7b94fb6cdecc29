import { Controller, type DynamicModule, type Type } from '@nestjs/common';

export interface RouteExtras {
  /** register the module's built-in routes (default true) */
  routes?: boolean;
  /** mount them under this path instead of their default (e.g. `api/wx`) */
  routePrefix?: string;
}

export const normalizePrefix = (prefix: string) => prefix.replace(/^\/+|\/+$/g, '');

/**
 * Adds a module's built-in controllers unless the host switched its routes off; with a
 * routePrefix they are mounted through a subclass carrying the new path.
 */
export function withControllers(module: DynamicModule, extras: RouteExtras, controllers: Type[]): DynamicModule {
  if (extras.routes === false) return module;
  const mounted =
    extras.routePrefix === undefined
      ? controllers
      : controllers.map((base) => {
          @Controller(normalizePrefix(extras.routePrefix!))
          class Prefixed extends (base as Type<object>) {}
          Object.defineProperty(Prefixed, 'name', { value: base.name });
          return Prefixed;
        });
  return { ...module, controllers: [...(module.controllers ?? []), ...mounted] };
}
