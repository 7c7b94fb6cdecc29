import type { DynamicModule, Type } from '@nestjs/common';

/** Adds a module's built-in controllers unless the host switched its routes off. */
export function withControllers(module: DynamicModule, routes: boolean | undefined, controllers: Type[]): DynamicModule {
  return routes === false ? module : { ...module, controllers: [...(module.controllers ?? []), ...controllers] };
}
