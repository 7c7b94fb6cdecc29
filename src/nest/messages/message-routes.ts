import { Logger } from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import type { AdmittedPush, MessageDesk, PushAnswer } from '../../core/messages/message-desk.js';
import { MAX_MESSAGE_BYTES } from '../../core/messages/message-xml.js';
import { Problem } from '../../core/problem.js';

type Query = Record<string, unknown>;
const logger = new Logger('WechatMessages');

/** The JSON error a refused push gets; anything unexpected is a 500 that names nothing of the message. */
function failureOf(error: unknown): { status: number; body: object } {
  if (error instanceof Problem) return { status: error.statusCode, body: error.body };
  logger.error(`a message push failed (${(error as Error)?.name ?? 'error'})`);
  return { status: 500, body: { statusCode: 500, code: 'MESSAGE_FAILED', message: 'the message could not be handled' } };
}

/**
 * Mounts GET (the url check) and POST (the push) at `path` (the default account) and `path/:appId`
 * on the platform itself: the signature is checked before the body is read, and the body stays the
 * exact text WeChat sent (XML, which the host's JSON parsers must not see).
 */
export function mountMessageRoutes(adapterHost: HttpAdapterHost, path: string, desk: MessageDesk, defaultAppId: string): void {
  const adapter = adapterHost.httpAdapter;
  if (!adapter) return;
  const routes = { path, desk, appIdOf: (params: { appId?: string } | undefined) => params?.appId ?? defaultAppId };
  if (adapter.getType() === 'fastify') onFastify(adapter.getInstance<FastifyInstance>(), routes);
  else if (adapter.getType() === 'express') onExpress(adapter.getInstance<ExpressApp>(), routes);
  else throw new Error(`MessagesModule: the message routes need Fastify or Express (not ${adapter.getType()})`);
}

interface Routes {
  path: string;
  desk: MessageDesk;
  appIdOf(params: { appId?: string } | undefined): string;
}

const admitted = new WeakMap<object, AdmittedPush>();

function onFastify(fastify: FastifyInstance, { path, desk, appIdOf }: Routes): void {
  void fastify.register(async (context) => {
    context.removeAllContentTypeParsers();
    context.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_MESSAGE_BYTES }, (_request, body, done) =>
      done(null, body),
    );
    const send = (reply: FastifyReply, status: number, type: string, body: string | object) =>
      reply.status(status).header('cache-control', 'no-store').type(type).send(body);
    const answer = (reply: FastifyReply, a: PushAnswer) => send(reply, 200, `${a.contentType}; charset=utf-8`, a.body);
    const fail = (reply: FastifyReply, error: unknown) => {
      const failure = failureOf(error);
      return send(reply, failure.status, 'application/json; charset=utf-8', failure.body);
    };
    const errorHandler = (error: unknown, _request: FastifyRequest, reply: FastifyReply) => {
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 413)
        return fail(reply, new Problem(413, 'MESSAGE_TOO_LARGE', `a message is at most ${MAX_MESSAGE_BYTES} bytes`));
      return fail(
        reply,
        status && status < 500 ? new Problem(status, 'MESSAGE_UNREADABLE', 'the body could not be read') : error,
      );
    };
    for (const url of [path, `${path}/:appId`]) {
      context.get(url, { errorHandler }, async (request, reply) => {
        try {
          return send(
            reply,
            200,
            'text/plain; charset=utf-8',
            desk.echo(appIdOf(request.params as never), request.query as Query),
          );
        } catch (error) {
          return fail(reply, error);
        }
      });
      context.post(url, {
        errorHandler,
        // before the body is read: a push whose signature is wrong is refused unread
        onRequest: async (request, reply) => {
          try {
            admitted.set(request, desk.admit(appIdOf(request.params as never), request.query as Query));
          } catch (error) {
            return fail(reply, error);
          }
        },
        handler: async (request, reply) => {
          try {
            const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
            return answer(reply, await desk.answer(admitted.get(request)!, body));
          } catch (error) {
            return fail(reply, error);
          }
        },
      });
    }
  });
}

interface ExpressRequest extends Readable {
  headers: Record<string, string | string[] | undefined>;
  query: Query;
  params?: { appId?: string };
  rawBody?: Buffer;
  body?: unknown;
}
interface ExpressResponse {
  status(code: number): ExpressResponse;
  set(name: string, value: string): ExpressResponse;
  type(type: string): ExpressResponse;
  send(body: string): unknown;
  json(body: unknown): unknown;
}
type ExpressHandler = (request: ExpressRequest, response: ExpressResponse) => unknown;
interface ExpressApp {
  get(path: string[], handler: ExpressHandler): unknown;
  post(path: string[], handler: ExpressHandler): unknown;
}

/** The body as sent, at most `limit` bytes: what a JSON parser already read, or the stream itself. */
async function bodyOf(request: ExpressRequest, limit: number): Promise<Buffer> {
  if (Buffer.isBuffer(request.rawBody)) return request.rawBody;
  const tooLarge = () => new Problem(413, 'MESSAGE_TOO_LARGE', `a message is at most ${limit} bytes`);
  if (Number(request.headers['content-length'] ?? 0) > limit) throw tooLarge();
  if (request.readableEnded) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      request.destroy();
      throw tooLarge();
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function onExpress(express: ExpressApp, { path, desk, appIdOf }: Routes): void {
  const paths = [path, `${path}/:appId`];
  const fail = (response: ExpressResponse, error: unknown) => {
    const failure = failureOf(error);
    response.status(failure.status).set('cache-control', 'no-store').json(failure.body);
  };
  express.get(paths, (request, response) => {
    try {
      const echo = desk.echo(appIdOf(request.params), request.query);
      response.status(200).set('cache-control', 'no-store').type('text/plain; charset=utf-8').send(echo);
    } catch (error) {
      fail(response, error);
    }
  });
  express.post(paths, (request, response) => {
    let push: AdmittedPush;
    try {
      push = desk.admit(appIdOf(request.params), request.query);
    } catch (error) {
      return fail(response, error);
    }
    bodyOf(request, MAX_MESSAGE_BYTES)
      .then((body) => desk.answer(push, body))
      .then(
        (a) => response.status(200).set('cache-control', 'no-store').type(`${a.contentType}; charset=utf-8`).send(a.body),
        (error: unknown) => fail(response, error),
      );
  });
}
