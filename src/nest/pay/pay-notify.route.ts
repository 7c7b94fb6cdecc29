import { Logger } from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Problem } from '../../core/problem.js';

/** Handles a notification's headers (lower-case) and raw body; resolves when it may be answered 204. */
export type NotifyHandler = (headers: Record<string, string | undefined>, rawBody: string) => Promise<unknown>;

/** A notification is small JSON; more than this is not one. */
const NOTIFY_BODY_LIMIT = 64 * 1024;
const logger = new Logger('PayNotify');

/**
 * Mounts the notify route on the platform itself, because WeChat Pay's signature covers the exact
 * bytes it sent: on Fastify in a context of its own that reads the body as a string (the host's
 * JSON parser never sees it); on Express from `request.rawBody`, which Nest keeps when the app is
 * created with `{ rawBody: true }`. Answers 204, or WeChat Pay's `{code: "FAIL", message}` shape
 * with the status that decides whether it repeats.
 */
export function mountNotifyRoute(adapterHost: HttpAdapterHost, path: string, handle: NotifyHandler): void {
  const adapter = adapterHost.httpAdapter;
  if (!adapter) return;
  if (adapter.getType() === 'fastify') onFastify(adapter.getInstance<FastifyInstance>(), path, handle);
  else if (adapter.getType() === 'express') onExpress(adapter.getInstance<ExpressApp>(), path, handle);
  else throw new Error(`PayModule: the notify route needs Fastify or Express (not ${adapter.getType()})`);
}

function failureOf(error: unknown): { status: number; body: { code: string; message: string } } {
  if (error instanceof Problem) return { status: error.statusCode, body: { code: 'FAIL', message: error.message } };
  logger.error(`a pay notification failed (${(error as Error)?.name ?? 'error'})`);
  return { status: 500, body: { code: 'FAIL', message: 'the notification could not be applied; repeat it' } };
}

function headersOf(raw: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(raw)) out[name.toLowerCase()] = Array.isArray(value) ? value[0] : value;
  return out;
}

function onFastify(fastify: FastifyInstance, path: string, handle: NotifyHandler): void {
  void fastify.register(async (context) => {
    context.removeAllContentTypeParsers();
    context.addContentTypeParser('*', { parseAs: 'string', bodyLimit: NOTIFY_BODY_LIMIT }, (_request, body, done) =>
      done(null, body),
    );
    context.post(path, {
      errorHandler: (error: unknown, _request: FastifyRequest, reply: FastifyReply) => {
        // a body past the limit or unreadable: refused like any other bad notification
        const status = (error as { statusCode?: number }).statusCode;
        const failure =
          status && status < 500 ? { status, body: { code: 'FAIL', message: 'unreadable body' } } : failureOf(error);
        void reply.status(failure.status).header('cache-control', 'no-store').send(failure.body);
      },
      handler: async (request, reply) => {
        const raw = typeof request.body === 'string' ? request.body : '';
        try {
          await handle(headersOf(request.headers), raw);
        } catch (error) {
          const failure = failureOf(error);
          return reply.status(failure.status).header('cache-control', 'no-store').send(failure.body);
        }
        return reply.status(204).send();
      },
    });
  });
}

interface ExpressRequest {
  headers: Record<string, string | string[] | undefined>;
  rawBody?: Buffer;
  body?: unknown;
}
interface ExpressResponse {
  status(code: number): ExpressResponse;
  set(name: string, value: string): ExpressResponse;
  json(body: unknown): unknown;
  end(): unknown;
}
interface ExpressApp {
  post(path: string, handler: (request: ExpressRequest, response: ExpressResponse) => unknown): unknown;
}

function onExpress(express: ExpressApp, path: string, handle: NotifyHandler): void {
  express.post(path, (request, response) => {
    const fail = (error: unknown) => {
      const failure = failureOf(error);
      response.status(failure.status).set('cache-control', 'no-store').json(failure.body);
    };
    const empty = !Number(request.headers['content-length'] ?? 0) && request.headers['transfer-encoding'] === undefined;
    const raw = Buffer.isBuffer(request.rawBody) ? request.rawBody.toString('utf8') : empty ? '' : undefined;
    if (raw === undefined) {
      // re-serialised JSON would not verify: without the raw bytes nothing can be believed
      logger.error('a pay notification came without its raw body: create the Nest app with { rawBody: true }');
      return fail(new Problem(500, 'FAIL', 'the raw body is not available'));
    }
    handle(headersOf(request.headers), raw).then(() => response.status(204).end(), fail);
  });
}
