import type { HttpAdapterHost } from '@nestjs/core';
import Fastify from 'fastify';
import type { GlobalPrefix } from '../http/global-prefix.js';
import { HttpProblem } from '../http/http-problem.js';
import { JssdkRoutes } from './jssdk.routes.js';
import type { WechatAccounts } from '../../core/accounts/wechat-accounts.js';
import type { RateLimiter } from '../rate-limit/rate-limiter.js';

const NO_PREFIX = { apply: (path: string) => path } as GlobalPrefix;
const NO_LIMIT = { admit: () => Promise.resolve() } as unknown as RateLimiter;
const adapterHost = (adapter: unknown) => ({ httpAdapter: adapter }) as HttpAdapterHost;

describe('JssdkRoutes', () => {
  it('refuses, with what to do instead, to mount on a platform other than Fastify', () => {
    const routes = new JssdkRoutes(
      adapterHost({ getType: () => 'koa' }),
      {} as WechatAccounts,
      '/wechat/jssdk',
      NO_PREFIX,
      NO_LIMIT,
    );
    expect(() => routes.onModuleInit()).toThrow(/platform-fastify.*routes: false.*accounts\.select/s);
  });

  it('mounts nothing in an application context without HTTP', () => {
    const routes = new JssdkRoutes(adapterHost(undefined), {} as WechatAccounts, '/wechat/jssdk', NO_PREFIX, NO_LIMIT);
    expect(() => routes.onModuleInit()).not.toThrow();
  });

  describe('on Fastify, with the signing service at a seam', () => {
    const fastify = Fastify();
    const signer = {
      configFor: (url: string) => {
        if (url.includes('refused')) throw new HttpProblem(400, 'DOMAIN_NOT_ALLOWED', 'host not allowed');
        if (url.includes('bug')) throw new Error('a bug with a secret: ACCESS_TOKEN_VALUE');
        return {
          appId: 'wx1',
          timestamp: 1,
          nonceStr: 'n',
          signature: 's',
          jsApiList: [],
          openTagList: [],
          debug: false,
          extra: 'dropped',
        };
      },
      signChooseCard: async () => ({
        shopId: '',
        cardType: '',
        cardId: '',
        timestamp: 1,
        nonceStr: 'n',
        signType: 'SHA1',
        cardSign: 'c',
      }),
    };
    const signatures = { select: () => ({ signature: signer }), get: () => ({ signature: signer }) } as unknown as WechatAccounts;
    beforeAll(async () => {
      new JssdkRoutes(
        adapterHost({ getType: () => 'fastify', getInstance: () => fastify }),
        signatures,
        '/api/js',
        NO_PREFIX,
        NO_LIMIT,
      ).onModuleInit();
      await fastify.ready();
    });
    afterAll(() => fastify.close());

    it('serves the three routes under the mount, answering only the documented fields', async () => {
      const post = await fastify.inject({ method: 'POST', url: '/api/js/config', payload: { url: 'https://a.example/' } });
      expect(post.statusCode).toBe(200);
      expect(post.json()).toEqual({
        appId: 'wx1',
        timestamp: 1,
        nonceStr: 'n',
        signature: 's',
        jsApiList: [],
        openTagList: [],
        debug: false,
      });
      expect((await fastify.inject({ method: 'GET', url: '/api/js/config?url=https://a.example/' })).statusCode).toBe(200);
      expect((await fastify.inject({ method: 'POST', url: '/api/js/card-config', payload: {} })).json().cardSign).toBe('c');
    });

    it('answers problems as JSON error bodies, and an unexpected error as a bare 500 that tells nothing', async () => {
      const refused = await fastify.inject({
        method: 'POST',
        url: '/api/js/config',
        payload: { url: 'https://refused.example/' },
      });
      expect(refused.statusCode).toBe(400);
      expect(refused.json()).toEqual({ statusCode: 400, code: 'DOMAIN_NOT_ALLOWED', message: 'host not allowed' });
      const bad = await fastify.inject({ method: 'POST', url: '/api/js/config', payload: { url: 'https://a.example/', x: 1 } });
      expect(bad.json()).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
      const bug = await fastify.inject({ method: 'POST', url: '/api/js/config', payload: { url: 'https://bug.example/' } });
      expect(bug.statusCode).toBe(500);
      expect(bug.json()).toEqual({ statusCode: 500, code: 'INTERNAL_ERROR', message: 'internal error' });
      expect(bug.body).not.toContain('ACCESS_TOKEN_VALUE');
    });
  });
});
