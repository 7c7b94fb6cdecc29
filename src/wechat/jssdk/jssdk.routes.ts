import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GlobalPrefix } from '../../common/global-prefix.js';
import { compileInputCheck } from '../../common/input-check.js';
import { toProblem } from '../../common/problem.filter.js';
import {
  CARD_CONFIG_BODY_SCHEMA,
  type CardConfigBody,
  CHOOSE_CARD_CONFIG_SCHEMA,
  JSSDK_CONFIG_BODY_SCHEMA,
  JSSDK_CONFIG_QUERY_SCHEMA,
  type JssdkConfigBody,
  type JssdkConfigQuery,
  splitList,
  WX_CONFIG_SCHEMA,
} from './jssdk.schemas.js';
import { SignatureService } from './signature.service.js';

/** Where the JS-SDK routes are mounted: `/wechat/jssdk` unless the module's `routePrefix` says otherwise. */
export const JSSDK_ROUTES_MOUNT = Symbol('JSSDK_ROUTES_MOUNT');
export const DEFAULT_JSSDK_MOUNT = '/wechat/jssdk';

const checkConfigBody = compileInputCheck<JssdkConfigBody>(JSSDK_CONFIG_BODY_SCHEMA, { urlProperty: 'url' });
const checkConfigQuery = compileInputCheck<JssdkConfigQuery>(JSSDK_CONFIG_QUERY_SCHEMA, { urlProperty: 'url' });
const checkCardBody = compileInputCheck<CardConfigBody>(CARD_CONFIG_BODY_SCHEMA);

/**
 * The signing routes, served by the platform (Fastify or Express) directly rather than through
 * Nest's router: a page asks for a signature on every load, and Nest's per-request pipeline would
 * cost more than the signing itself. The platform's hooks and middleware (CORS, Nest middleware)
 * still run on them; Nest guards, interceptors and pipes do not. A host that wants those sets `routes: false` and calls
 * SignatureService from its own controller.
 */
@Injectable()
export class JssdkRoutes implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly signatures: SignatureService,
    @Inject(JSSDK_ROUTES_MOUNT) readonly mount: string,
    private readonly prefix: GlobalPrefix,
  ) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    // An application context without HTTP (a worker, a CLI) has nothing to mount on.
    if (!adapter) return;
    const type = adapter.getType();
    if (type === 'fastify') this.register(adapter.getInstance<FastifyInstance>());
    else if (type === 'express') this.registerOnExpress(adapter.getInstance<ExpressApp>());
    else {
      throw new Error(
        `WechatModule: the built-in JS-SDK routes need @nestjs/platform-fastify or @nestjs/platform-express (not ${type}); ` +
          'set `routes: false` and call SignatureService from your own controller',
      );
    }
  }

  /** The same three routes as plain Express routes (registered before Nest's not-found handler). */
  private registerOnExpress(express: ExpressApp): void {
    const signatures = this.signatures;
    const url = (path: string) => this.prefix.apply(`${this.mount}${path}`);
    const route = (method: 'get' | 'post', path: string, handle: (request: ExpressRequest) => unknown) =>
      express[method](url(path), (request: ExpressRequest, response: ExpressResponse) => {
        let answer: unknown;
        try {
          answer = handle(request);
        } catch (error) {
          return sendExpressProblem(error, response);
        }
        void Promise.resolve(answer).then(
          (body) => response.status(200).set('cache-control', 'no-store').json(body),
          (error: unknown) => sendExpressProblem(error, response),
        );
      });
    route('post', '/config', (request) => {
      const body = checkConfigBody(request.body);
      return signatures.configFor(body.url, body);
    });
    route('get', '/config', (request) => {
      const query = checkConfigQuery(request.query);
      return signatures.configFor(query.url, {
        jsApiList: splitList(query.jsApiList),
        openTagList: splitList(query.openTagList),
        debug: query.debug === undefined ? undefined : query.debug === 'true',
        appId: query.appId,
      });
    });
    route('post', '/card-config', (request) => signatures.signChooseCard(checkCardBody(request.body ?? {})));
    // a body that is not JSON fails in the body parser before the route: answered here, in the same shape
    express.use(
      url(''),
      (error: unknown, _request: ExpressRequest, response: ExpressResponse, next: (error: unknown) => void) => {
        if (response.headersSent) return next(error);
        sendExpressProblem(error, response);
      },
    );
  }

  private register(fastify: FastifyInstance): void {
    const signatures = this.signatures;
    const route = (method: 'GET' | 'POST', path: string, answer: object, handle: (request: FastifyRequest) => unknown) =>
      fastify.route({
        method,
        url: this.prefix.apply(`${this.mount}${path}`),
        schema: { response: { 200: answer } },
        errorHandler: sendProblem,
        handler: (request, reply) => {
          noStore(reply);
          return handle(request);
        },
      });
    route('POST', '/config', WX_CONFIG_SCHEMA, (request) => {
      const body = checkConfigBody(request.body);
      return signatures.configFor(body.url, body);
    });
    route('GET', '/config', WX_CONFIG_SCHEMA, (request) => {
      const query = checkConfigQuery(request.query);
      return signatures.configFor(query.url, {
        jsApiList: splitList(query.jsApiList),
        openTagList: splitList(query.openTagList),
        debug: query.debug === undefined ? undefined : query.debug === 'true',
        appId: query.appId,
      });
    });
    route('POST', '/card-config', CHOOSE_CARD_CONFIG_SCHEMA, (request) => signatures.signChooseCard(checkCardBody(request.body)));
  }
}

interface ExpressRequest {
  body?: unknown;
  query: unknown;
}
interface ExpressResponse {
  headersSent: boolean;
  status(code: number): ExpressResponse;
  set(name: string, value: string): ExpressResponse;
  json(body: unknown): unknown;
}
type ExpressHandler = (...args: never[]) => unknown;
interface ExpressApp {
  get(path: string, handler: ExpressHandler): unknown;
  post(path: string, handler: ExpressHandler): unknown;
  use(path: string, handler: ExpressHandler): unknown;
}

function sendExpressProblem(error: unknown, response: ExpressResponse): void {
  const body = toProblem(error);
  response.status(body.statusCode).set('cache-control', 'no-store').json(body);
}

/** Any error of these routes (bad JSON, validation, WeChat refusing or down) as the JSON error body. */
function sendProblem(error: unknown, _request: FastifyRequest, reply: FastifyReply): void {
  const body = toProblem(error);
  noStore(reply);
  void reply.status(body.statusCode).send(body);
}

/** A signature is good for one page load: no cache (a CDN or the browser) may hand it out again. */
function noStore(reply: FastifyReply): void {
  reply.header('cache-control', 'no-store');
}
