import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { GlobalPrefix } from '../http/global-prefix.js';
import { compileInputCheck } from '../http/input-check.js';
import { readFile } from 'node:fs/promises';
import { mountJsonRoutes } from '../http/json-routes.js';
import { Problem } from '../../core/problem.js';
import {
  CARD_CONFIG_BODY_SCHEMA,
  type CardConfigBody,
  CHOOSE_CARD_CONFIG_SCHEMA,
  DIAGNOSE_BODY_SCHEMA,
  DIAGNOSIS_SCHEMA,
  JSSDK_CONFIG_BODY_SCHEMA,
  JSSDK_CONFIG_QUERY_SCHEMA,
  type JssdkConfigBody,
  type JssdkConfigQuery,
  splitList,
  WX_CONFIG_SCHEMA,
} from './jssdk.schemas.js';
import { WechatAccounts } from '../../core/accounts/wechat-accounts.js';
import type { DiagnoseInput } from '../../core/jssdk/diagnosis.js';
import { RateLimiter } from '../rate-limit/rate-limiter.js';

/** Where the JS-SDK routes are mounted: `/wechat/jssdk` unless the module's `routePrefix` says otherwise. */
export const JSSDK_ROUTES_MOUNT = Symbol('JSSDK_ROUTES_MOUNT');
export const DEFAULT_JSSDK_MOUNT = '/wechat/jssdk';

const checkConfigBody = compileInputCheck<JssdkConfigBody>(JSSDK_CONFIG_BODY_SCHEMA, { urlProperty: 'url' });
const checkConfigQuery = compileInputCheck<JssdkConfigQuery>(JSSDK_CONFIG_QUERY_SCHEMA, { urlProperty: 'url' });
const checkCardBody = compileInputCheck<CardConfigBody>(CARD_CONFIG_BODY_SCHEMA);
const checkDiagnoseBody = compileInputCheck<DiagnoseInput>(DIAGNOSE_BODY_SCHEMA);

let helperSource: Promise<string> | undefined;

/** The compiled browser helper: dist/browser/index.js beside the compiled routes (or the build, under ts-jest). */
function browserHelper(): Promise<string> {
  helperSource ??= readFile(new URL('../../browser/index.js', import.meta.url), 'utf8').catch(() =>
    readFile(new URL('../../../dist/browser/index.js', import.meta.url), 'utf8'),
  );
  return helperSource.catch((error: unknown) => {
    helperSource = undefined;
    throw new Problem(503, 'HELPER_UNAVAILABLE', `the browser helper is not built (npm run build): ${(error as Error).message}`);
  });
}

/**
 * The signing routes, served by the platform (Fastify or Express) directly rather than through
 * Nest's router: a page asks for a signature on every load, and Nest's per-request pipeline would
 * cost more than the signing itself. The platform's hooks and middleware (CORS, Nest middleware)
 * still run on them; Nest guards, interceptors and pipes do not. A host that wants those sets `routes: false` and calls
 * `accounts.select(appId, url).signature.configFor(url, options)` from its own controller.
 */
@Injectable()
export class JssdkRoutes implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly accounts: WechatAccounts,
    @Inject(JSSDK_ROUTES_MOUNT) readonly mount: string,
    private readonly prefix: GlobalPrefix,
    private readonly limiter: RateLimiter,
  ) {}

  onModuleInit(): void {
    const accounts = this.accounts;
    const url = (path: string) => this.prefix.apply(`${this.mount}${path}`);
    // (an application context without HTTP, a worker or a CLI, has nothing to mount them on)
    mountJsonRoutes(
      this.adapterHost,
      'WechatModule',
      [
        {
          method: 'POST',
          path: url('/config'),
          answer: WX_CONFIG_SCHEMA,
          handle: (request) => {
            const body = checkConfigBody(request.body);
            return accounts.select(body.appId, body.url).signature.configFor(body.url, body);
          },
        },
        {
          method: 'GET',
          path: url('/config'),
          answer: WX_CONFIG_SCHEMA,
          handle: (request) => {
            const query = checkConfigQuery(request.query);
            return accounts.select(query.appId, query.url).signature.configFor(query.url, {
              jsApiList: splitList(query.jsApiList),
              openTagList: splitList(query.openTagList),
              debug: query.debug === undefined ? undefined : query.debug === 'true',
            });
          },
        },
        {
          method: 'POST',
          path: url('/card-config'),
          answer: CHOOSE_CARD_CONFIG_SCHEMA,
          handle: (request) => {
            const body = checkCardBody(request.body ?? {});
            return accounts.get(body.appId).signature.signChooseCard(body);
          },
        },
        {
          // the browser helper (nest-wechat-h5/browser), for pages that load it from the service
          method: 'GET',
          path: url('/client.js'),
          contentType: 'text/javascript; charset=utf-8',
          cacheControl: 'public, max-age=300',
          handle: () => browserHelper(),
        },
        {
          // what a page saw when wx.config failed: rate-limited, never calls WeChat
          method: 'POST',
          path: url('/diagnose'),
          answer: DIAGNOSIS_SCHEMA,
          handle: async (request, reply) => {
            await this.limiter.admit('diagnose', request, reply);
            return accounts.diagnose(checkDiagnoseBody(request.body));
          },
        },
      ],
      '; set `routes: false` and sign from your own controller with accounts.select(appId, url).signature.configFor(...)',
    );
  }
}
