import type { FastifyReply } from 'fastify';
import fastifyFormbody from '@fastify/formbody';
import { type INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule, type EnvOverrides } from './app.module.js';
import { type AppConfig, SANDBOX_MOUNT_PATH } from './config/app-config.js';
import { answerClientError } from './client-error.js';
import { fastifyTrustProxy } from './config/trust-proxy.js';
import { ProblemFilter } from '../nest/http/problem.filter.js';
import { setupOpenApi } from './openapi.js';
import { DEFAULT_CREDENTIAL_API_MOUNT } from '../nest/credential-api/credential-api.routes.js';
import { createLogging } from './logging.js';
import { sandboxPlugin } from '../sandbox/index.js';
import { createExpressApp } from './express-app.js';

/** Which platform the service runs on: Fastify (the service's own), or Express (as a host would). */
export interface CreateAppOptions {
  platform?: 'fastify' | 'express';
}

/**
 * Builds the service (used by main.ts and by the e2e tests): validated config, Fastify with
 * structured one-line request logs and time limits on slow clients, the JSON error body
 * everywhere, and the sandbox mounted at /sandbox when it is on. Throws ConfigurationError on
 * invalid configuration.
 */
export async function createApp(
  env: EnvOverrides,
  { platform = 'fastify' }: CreateAppOptions = {},
): Promise<{ app: INestApplication; config: AppConfig }> {
  const { module, config, sandbox } = await AppModule.build(env);
  const logging = createLogging(config.logLevel);
  if (platform === 'express') {
    if (config.sandbox) throw new Error('the built-in sandbox is served on Fastify only; run the service on Fastify');
    const app = await createExpressApp(module, config, logging.nest);
    return { app: finish(app, config), config };
  }
  const adapter = new FastifyAdapter({
    ...logging.fastify,
    trustProxy: fastifyTrustProxy(config.trustProxy),
    bodyLimit: 64 * 1024,
    clientErrorHandler: answerClientError,
    // a url Fastify cannot decode (`%ff`): a JSON 400 that neither echoes nor logs it, since its query may hold
    // a login code WeChat was made to send to a crafted callback path
    frameworkErrors: (_error: Error, _request: unknown, reply: FastifyReply) => {
      void reply
        .code(400)
        .type('application/json; charset=utf-8')
        .send({ statusCode: 400, code: 'BAD_URL', message: 'the url is not valid (a malformed percent-encoding)' });
    },
    ...clientTimeouts(config.requestTimeoutMs, config.socketTimeoutMs),
  });
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, {
    logger: logging.nest,
    // Fastify's own JSON parser (same limits, same prototype-poisoning checks) without the
    // wrapper Nest puts around it for rawBody, which no route here needs; forms below.
    bodyParser: false,
  });
  // Form posts (`$.post(api, { url: location.href })` sends one) are read like JSON bodies.
  await app.register(fastifyFormbody);
  if (sandbox) await app.register(sandboxPlugin, { prefix: SANDBOX_MOUNT_PATH, sandbox });
  closeKeepAliveWhenStopping(app);
  return { app: finish(app, config), config };
}

/** What both platforms get: the JSON error body everywhere, CORS, the OpenAPI page, a clean stop, the warnings. */
function finish<T extends INestApplication>(app: T, config: AppConfig): T {
  // Nest routes the platform's errors (hooks, plugins, body parsers) through its global filters too
  app.useGlobalFilters(new ProblemFilter());
  if (config.corsOrigins.length) app.enableCors({ origin: config.corsOrigins, credentials: true });
  if (config.openApiDocs) setupOpenApi(app, config.credentialApiConsumers.length ? DEFAULT_CREDENTIAL_API_MOUNT : undefined);
  // process.exit (rather than re-raising the signal) lets the async log stream flush.
  app.enableShutdownHooks(undefined, { useProcessExit: true });
  for (const warning of config.warnings) Logger.warn(warning, 'Config');
  return app;
}

/**
 * A client gets `requestTimeoutMs` to send a whole request (then 408 and the connection is
 * closed), so one that sends half a body cannot hold a connection for minutes; a connection
 * silent for `socketTimeoutMs` is closed, which is longer than any handler waits before answering.
 */
function clientTimeouts(requestTimeoutMs: number, socketTimeoutMs: number) {
  return {
    requestTimeout: requestTimeoutMs,
    connectionTimeout: socketTimeoutMs,
    http: {
      requestTimeout: requestTimeoutMs,
      headersTimeout: Math.min(requestTimeoutMs, 60_000),
      // how often Node looks for requests past their time (its default is 30 s)
      connectionsCheckingInterval: Math.min(1000, requestTimeoutMs),
    },
  };
}

/**
 * Graceful stop: requests in flight when the stop begins still finish, and their keep-alive
 * connections close right after the response (idle ones at once) so the server can stop.
 */
function closeKeepAliveWhenStopping(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('preClose', (done) => {
    fastify.server.keepAliveTimeout = 1;
    fastify.server.closeIdleConnections();
    done();
  });
}
