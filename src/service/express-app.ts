import type { INestApplication, LoggerService, NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Server } from 'node:http';
import { loadPeer } from '../core/load-peer.js';
import type { AppConfig } from './config/app-config.js';
import { answerClientError } from './client-error.js';

type ExpressPlatform = typeof import('@nestjs/platform-express');
interface ExpressApplication extends INestApplication {
  set(setting: string, value: unknown): unknown;
  useBodyParser(type: 'json' | 'urlencoded' | 'text', options: { limit: string; extended?: boolean; strict?: boolean }): unknown;
}

/**
 * The service's modules on Express instead of Fastify: the same routes, limits and JSON errors, for
 * hosts (and the tests that prove every route on both platforms). Bodies are bounded like Fastify's;
 * the client address follows TRUST_PROXY. The request log line and the sandbox are Fastify's only.
 */
export async function createExpressApp(
  module: object,
  config: AppConfig,
  logger: LoggerService | false,
): Promise<INestApplication> {
  const { ExpressAdapter } = await loadPeer<ExpressPlatform>('@nestjs/platform-express', 'the service on Express');
  // rawBody: WeChat Pay's notifications are verified over the exact bytes it sent
  const options: NestApplicationOptions = { logger, bodyParser: false, rawBody: true };
  const app = await NestFactory.create<ExpressApplication>(module as never, new ExpressAdapter(), options);
  // as Fastify reads them: any JSON value (not only objects), forms, and plain text (refused later as not JSON)
  app.useBodyParser('json', { limit: '64kb', strict: false });
  app.useBodyParser('urlencoded', { limit: '64kb', extended: false });
  app.useBodyParser('text', { limit: '64kb' });
  app.set('trust proxy', expressTrustProxy(config.trustProxy));
  // Express answers 304 to any GET carrying `If-None-Match: *` (its freshness check); no answer here is conditional
  app.use((request: { headers: Record<string, unknown> }, _response: unknown, next: () => void) => {
    delete request.headers['if-none-match'];
    delete request.headers['if-modified-since'];
    next();
  });
  const server = app.getHttpServer() as Server;
  // what Node's parser refuses (headers too large, a broken request line) still gets the JSON error body
  server.removeAllListeners('clientError');
  server.on('clientError', answerClientError);
  server.requestTimeout = config.requestTimeoutMs;
  server.headersTimeout = Math.min(config.requestTimeoutMs, 60_000);
  server.setTimeout(config.socketTimeoutMs);
  return app;
}

/** Express's own spelling of the same trust: a hop count, a list of addresses, or none. */
function expressTrustProxy(trust: AppConfig['trustProxy']): boolean | number | string {
  return Array.isArray(trust) ? trust.join(',') : trust;
}
