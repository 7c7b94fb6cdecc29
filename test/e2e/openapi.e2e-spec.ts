import { startSandbox, type SandboxServer } from '../../src/sandbox/index.js';
import { getJson, serviceEnv, startApp, PLATFORMS } from '../support/app.js';

const ACCOUNT = { appId: 'wx5656efef7878abab', appSecret: 'openapi-e2e-secret-0123456' };

describe.each(PLATFORMS)('the OpenAPI description, on %s', (platform) => {
  let sandbox: SandboxServer;
  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: [ACCOUNT] });
  });
  afterAll(() => sandbox?.close());

  it('describes the routes, request and response schemas and the error shape at /docs-json', async () => {
    const svc = await startApp(serviceEnv(sandbox.url, ACCOUNT, { OPENAPI_DOCS: 'true', REDIS_URL: '' }), platform);
    try {
      const { status, json } = await getJson(`${svc.url}/docs-json`);
      expect(status).toBe(200);
      expect(json.openapi).toMatch(/^3\./);
      expect(Object.keys(json.paths)).toEqual(
        expect.arrayContaining([
          '/wechat/jssdk/config',
          '/wechat/jssdk/card-config',
          '/wechat/jssdk/diagnose',
          '/wechat/oauth/login',
          '/wechat/oauth/callback',
          '/wechat/oauth/me',
          '/wechat/oauth/logout',
          '/health',
          '/metrics',
        ]),
      );
      const post = json.paths['/wechat/jssdk/config'].post;
      expect(post.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/JssdkConfigBody');
      expect(post.responses['200'].content['application/json'].schema.$ref).toBe('#/components/schemas/WxConfigDto');
      expect(post.responses['400'].content['application/json'].schema.$ref).toBe('#/components/schemas/ProblemDto');
      expect(json.paths['/wechat/jssdk/config'].get.parameters.map((p: { name: string }) => p.name)).toContain('url');
      expect(json.components.schemas.JssdkConfigBody.required).toEqual(['url']);
      expect(Object.keys(json.components.schemas.ProblemDto.properties)).toEqual(['statusCode', 'code', 'message', 'errcode']);
      expect(Object.keys(json.paths['/metrics'].get.responses['200'].content)).toEqual(['text/plain']);
      const page = await fetch(`${svc.url}/docs`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
    } finally {
      await svc.close();
    }
  });

  it('is not served when OPENAPI_DOCS=false', async () => {
    const svc = await startApp(serviceEnv(sandbox.url, ACCOUNT, { OPENAPI_DOCS: 'false', REDIS_URL: '' }), platform);
    try {
      expect((await getJson(`${svc.url}/docs-json`)).status).toBe(404);
    } finally {
      await svc.close();
    }
  });
});
