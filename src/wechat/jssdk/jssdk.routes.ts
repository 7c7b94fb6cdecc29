import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GlobalPrefix } from '../../common/global-prefix.js';
import { compileInputCheck } from '../../common/input-check.js';
import { toProblem } from '../../common/problem.filter.js';
import {
  CARD_CONFIG_BODY_SCHEMA, type CardConfigBody, CHOOSE_CARD_CONFIG_SCHEMA, JSSDK_CONFIG_BODY_SCHEMA, JSSDK_CONFIG_QUERY_SCHEMA,
  type JssdkConfigBody, type JssdkConfigQuery, splitList, WX_CONFIG_SCHEMA,
} from './jssdk.schemas.js';
import { SignatureService } from './signature.service.js';

/** Where the JS-SDK routes are mounted: `/wechat/jssdk` unless the module's `routePrefix` says otherwise. */
export const JSSDK_ROUTES_MOUNT = Symbol('JSSDK_ROUTES_MOUNT');
export const DEFAULT_JSSDK_MOUNT = '/wechat/jssdk';

const checkConfigBody = compileInputCheck<JssdkConfigBody>(JSSDK_CONFIG_BODY_SCHEMA, { urlProperty: 'url' });
const checkConfigQuery = compileInputCheck<JssdkConfigQuery>(JSSDK_CONFIG_QUERY_SCHEMA, { urlProperty: 'url' });
const checkCardBody = compileInputCheck<CardConfigBody>(CARD_CONFIG_BODY_SCHEMA);

/**
 * SPEC 3.1's signing routes, served by Fastify directly rather than through Nest's router: a page
 * asks for a signature on every load, and Nest's per-request pipeline would cost more than the
 * signing itself. Fastify hooks (CORS, rate limits, Nest middleware) still run on them; Nest
 * guards, interceptors and pipes do not. A host that wants those sets `routes: false` and calls
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
    if (adapter.getType() !== 'fastify') {
      throw new Error(
        'WechatModule: the built-in JS-SDK routes need @nestjs/platform-fastify; on another platform set '
        + '`routes: false` and call SignatureService from your own controller',
      );
    }
    this.register(adapter.getInstance<FastifyInstance>());
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

/** Any error of these routes (bad JSON, validation, WeChat refusing or down) as SPEC's JSON body. */
function sendProblem(error: unknown, _request: FastifyRequest, reply: FastifyReply): void {
  const body = toProblem(error);
  noStore(reply);
  void reply.status(body.statusCode).send(body);
}

/** A signature is good for one page load: no cache (a CDN or the browser) may hand it out again. */
function noStore(reply: FastifyReply): void {
  reply.header('cache-control', 'no-store');
}
