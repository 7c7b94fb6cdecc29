// The OpenAPI decorators of @nestjs/swagger, an optional peer. With it installed they describe the
// package's routes in the host's document; without it they do nothing, and nothing else changes.
// @nestjs/swagger is an ES module, loaded with import() (no top-level await, so CommonJS hosts can
// still require() this package): what is decorated before it has loaded is recorded and applied
// once it has, a few ticks after start-up, long before any document is built.

type Swagger = typeof import('@nestjs/swagger');
type Name = keyof Swagger;
type AnyDecorator = (target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => unknown;

interface Use {
  name: Name;
  args: unknown[];
  target: object;
  key?: string | symbol;
  descriptor?: PropertyDescriptor;
}

let swagger: Swagger | null | undefined;
const waiting: Use[] = [];

function apply(use: Use): void {
  const factory = swagger![use.name] as unknown as (...args: unknown[]) => AnyDecorator;
  factory(...use.args)(use.target, use.key, use.descriptor);
}

/** Settles once @nestjs/swagger is loaded (and every decoration applied), or known to be absent. */
export const apiDocsReady: Promise<void> = import('@nestjs/swagger').then(
  (loaded) => {
    swagger = loaded;
    for (const use of waiting.splice(0)) apply(use);
  },
  () => {
    swagger = null;
    waiting.length = 0;
  },
);

function decorator<K extends Name>(name: K): Swagger[K] {
  return ((...args: unknown[]) =>
    (target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => {
      const use = { name, args, target, key, descriptor };
      if (swagger) apply(use);
      else if (swagger === undefined) waiting.push(use);
    }) as unknown as Swagger[K];
}

export const ApiBadGatewayResponse = decorator('ApiBadGatewayResponse');
export const ApiBadRequestResponse = decorator('ApiBadRequestResponse');
export const ApiCookieAuth = decorator('ApiCookieAuth');
export const ApiCreatedResponse = decorator('ApiCreatedResponse');
export const ApiForbiddenResponse = decorator('ApiForbiddenResponse');
export const ApiConflictResponse = decorator('ApiConflictResponse');
export const ApiFoundResponse = decorator('ApiFoundResponse');
export const ApiGoneResponse = decorator('ApiGoneResponse');
export const ApiNoContentResponse = decorator('ApiNoContentResponse');
export const ApiNotFoundResponse = decorator('ApiNotFoundResponse');
export const ApiOkResponse = decorator('ApiOkResponse');
export const ApiOperation = decorator('ApiOperation');
export const ApiParam = decorator('ApiParam');
export const ApiPayloadTooLargeResponse = decorator('ApiPayloadTooLargeResponse');
export const ApiProperty = decorator('ApiProperty');
export const ApiPropertyOptional = decorator('ApiPropertyOptional');
export const ApiQuery = decorator('ApiQuery');
export const ApiResponse = decorator('ApiResponse');
export const ApiServiceUnavailableResponse = decorator('ApiServiceUnavailableResponse');
export const ApiTags = decorator('ApiTags');
export const ApiTooManyRequestsResponse = decorator('ApiTooManyRequestsResponse');
export const ApiUnauthorizedResponse = decorator('ApiUnauthorizedResponse');
export const ApiUnprocessableEntityResponse = decorator('ApiUnprocessableEntityResponse');
