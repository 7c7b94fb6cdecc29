import type { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Problem } from '../../core/problem.js';
import { retryAfterHeader, toProblem } from './problem.filter.js';

/**
 * What a route handler reads of a request, the same on Fastify and Express: it is the platform's
 * own request object (plugins such as the rate limiter take it as it is), nothing is copied.
 */
export interface JsonRequest {
  params: Record<string, string | undefined>;
  query: unknown;
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
  /** the client's address as the platform's trust-proxy setting reveals it */
  ip?: string;
}

/** Headers a handler may add to its answer or to its error (Fastify's reply, Express's response). */
export interface JsonReply {
  header(name: string, value: string): unknown;
}

export interface JsonRoute {
  method: 'GET' | 'POST';
  /** the full path, params as `:name` (the same syntax on both platforms) */
  path: string;
  /** Fastify serialises the 200 answer with this JSON schema, when given */
  answer?: object;
  /** not JSON: the handler's string is sent as it is, with this Content-Type */
  contentType?: string;
  /** default `no-store` */
  cacheControl?: string;
  handle(request: JsonRequest, reply: JsonReply): unknown;
}

/**
 * Serves JSON routes on the platform directly (Fastify or Express), not through Nest's router,
 * for routes on a hot path. Every answer, error or not, is `Cache-Control: no-store`; every error
 * is the JSON error body. `owner` names the module in the error for other platforms, `remedy` says what to do instead. Returns
 * false when the application has no HTTP server (a worker, a CLI).
 */
export function mountJsonRoutes(adapterHost: HttpAdapterHost, owner: string, routes: JsonRoute[], remedy = ''): boolean {
  const adapter = adapterHost.httpAdapter;
  if (!adapter) return false;
  const type = adapter.getType();
  if (type === 'fastify') onFastify(adapter.getInstance<FastifyInstance>(), routes);
  else if (type === 'express') onExpress(adapter.getInstance<ExpressApp>(), routes);
  else throw new Error(`${owner}: its routes need @nestjs/platform-fastify or @nestjs/platform-express (not ${type})${remedy}`);
  return true;
}

function onFastify(fastify: FastifyInstance, routes: JsonRoute[]): void {
  for (const route of routes) {
    fastify.route({
      method: route.method,
      url: route.path,
      schema: route.answer ? { response: { 200: route.answer } } : undefined,
      errorHandler: (error: unknown, _request: FastifyRequest, reply: FastifyReply) => {
        const body = toProblem(error);
        const retryAfter = retryAfterHeader(body);
        if (retryAfter) reply.header('retry-after', retryAfter);
        void reply.status(body.statusCode).header('cache-control', 'no-store').send(body);
      },
      handler: (request, reply) => {
        reply.header('cache-control', route.cacheControl ?? 'no-store');
        if (route.contentType) reply.type(route.contentType);
        return route.handle(request as JsonRequest, reply);
      },
    });
  }
}

interface ExpressResponse extends JsonReply {
  headersSent: boolean;
  status(code: number): ExpressResponse;
  set(name: string, value: string): ExpressResponse;
  json(body: unknown): unknown;
  type(contentType: string): ExpressResponse;
  send(body: string): unknown;
}
type ExpressHandler = (...args: never[]) => unknown;
interface ExpressApp {
  get(path: string, handler: ExpressHandler): unknown;
  post(path: string, handler: ExpressHandler): unknown;
  use(path: string, handler: ExpressHandler): unknown;
}

/** Body types the routes read (JSON and forms; plain text is taken and refused as not JSON), as on Fastify. */
const READABLE_BODY = /^(application\/(json|x-www-form-urlencoded)|text\/plain|[^/]+\/[^;]*\+json)\s*(;|$)/i;

/** 415 for a body of a type no route reads, as Fastify answers it. */
function refuseUnreadableBody(request: JsonRequest): void {
  const type = request.headers['content-type'];
  const length = request.headers['content-length'];
  const hasBody = (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
  if (hasBody && typeof type === 'string' && type !== '' && !READABLE_BODY.test(type))
    throw new Problem(415, 'UNSUPPORTED_MEDIA_TYPE', `a body of type ${type.split(';')[0]} is not read here; send JSON`);
}

function onExpress(express: ExpressApp, routes: JsonRoute[]): void {
  const fail = (error: unknown, response: ExpressResponse) => {
    const body = toProblem(error);
    const retryAfter = retryAfterHeader(body);
    if (retryAfter) response.set('retry-after', retryAfter);
    response.status(body.statusCode).set('cache-control', 'no-store').json(body);
  };
  for (const route of routes) {
    const register = route.method === 'GET' ? express.get.bind(express) : express.post.bind(express);
    register(route.path, (request: JsonRequest, response: ExpressResponse) => {
      let answer: unknown;
      try {
        if (route.method === 'POST') refuseUnreadableBody(request);
        answer = route.handle(request, response);
      } catch (error) {
        return fail(error, response);
      }
      void Promise.resolve(answer).then(
        (body) => {
          const ok = response.status(200).set('cache-control', route.cacheControl ?? 'no-store');
          if (route.contentType) ok.type(route.contentType).send(body as string);
          else ok.json(body);
        },
        (error: unknown) => fail(error, response),
      );
    });
    // a body that is not JSON fails in the body parser, before any route: answered in the same shape
    express.use(route.path, (error: unknown, _request: JsonRequest, response: ExpressResponse, next: (e: unknown) => void) => {
      if (response.headersSent) return next(error);
      fail(error, response);
    });
  }
}
