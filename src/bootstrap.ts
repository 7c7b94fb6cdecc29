import fastifyFormbody from '@fastify/formbody';
import { Logger, type LogLevel as NestLogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule, type EnvOverrides } from './app.module.js';
import { type AppConfig, SANDBOX_MOUNT_PATH } from './config/app-config.js';
import { answerClientError } from './common/client-error.js';
import { ProblemFilter } from './common/problem.filter.js';
import { setupOpenApi } from './openapi.js';
import { fastifyLoggerOptions, type LogLevel } from './logging.js';
import { Sandbox, sandboxPlugin } from './sandbox/index.js';
import { registerSessions } from './session/register-sessions.js';
import type { SharedCache } from './wechat/credentials/shared-cache.factory.js';
import { WECHAT_SHARED_CACHE } from './wechat/wechat.module.js';

const NEST_LEVELS: Record<LogLevel, NestLogLevel[] | false> = {
  silent: false,
  fatal: ['fatal'],
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
};

/**
 * Builds the service (used by main.ts and by the e2e tests): validated config, Fastify with
 * structured one-line request logs, SPEC's error JSON everywhere, and the sandbox mounted at
 * /sandbox when it is on. Throws ConfigurationError on invalid configuration.
 */
export async function createApp(overrides?: EnvOverrides): Promise<{ app: NestFastifyApplication; config: AppConfig }> {
  const { module, config } = await AppModule.build(overrides);
  const adapter = new FastifyAdapter({
    ...fastifyLoggerOptions(config.logLevel),
    trustProxy: config.trustProxy,
    bodyLimit: 64 * 1024,
    clientErrorHandler: answerClientError,
  });
  const levels = NEST_LEVELS[config.logLevel];
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, {
    logger: levels === false ? false : levels,
    // Fastify's own JSON parser (same limits, same prototype-poisoning checks) without the
    // wrapper Nest puts around it for rawBody, which no route here needs; forms below.
    bodyParser: false,
  });
  // Form posts (`$.post(api, { url: location.href })` sends one) are read like JSON bodies.
  await app.register(fastifyFormbody);
  app.useGlobalFilters(new ProblemFilter());
  await registerSessions(app, {
    secret: config.sessionSecret,
    secure: config.publicBaseUrl.startsWith('https://'),
    redis: app.get<SharedCache>(WECHAT_SHARED_CACHE).redis,
    keyPrefix: config.keyPrefix,
  });
  if (config.corsOrigins.length) app.enableCors({ origin: config.corsOrigins, credentials: true });
  if (config.sandbox) {
    const sandbox = new Sandbox({ accounts: [{ appId: config.appId, appSecret: config.appSecret }] });
    await app.register(sandboxPlugin, { prefix: SANDBOX_MOUNT_PATH, sandbox });
  }
  if (config.openApiDocs) setupOpenApi(app);
  closeKeepAliveWhenStopping(app);
  // process.exit (rather than re-raising the signal) lets the async log stream flush.
  app.enableShutdownHooks(undefined, { useProcessExit: true });
  for (const warning of config.warnings) Logger.warn(warning, 'Config');
  return { app, config };
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
