import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { Sandbox } from './sandbox.js';
import { SANDBOX_DEFAULT_ACCOUNT } from './sandbox.options.js';
import { sandboxPlugin } from './sandbox.plugin.js';

const { appId, appSecret } = SANDBOX_DEFAULT_ACCOUNT;

/** Form fields as a browser would submit them: hidden inputs plus the checked radio. */
function formFields(html: string, user: string, decision: string): URLSearchParams {
  const fields = new URLSearchParams();
  for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields.append(name!, value!.replace(/&amp;/g, '&'));
  }
  fields.append('user', user);
  fields.append('decision', decision);
  return fields;
}

describe('sandbox consent page mounted under /sandbox in a host app', () => {
  let host: FastifyInstance;
  let base: string;
  const sandbox = new Sandbox();

  beforeAll(async () => {
    host = Fastify();
    // a host-wide form parser must not change what the sandbox sees
    host.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
      done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );
    await host.register(sandboxPlugin, { prefix: '/sandbox', sandbox });
    await host.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(host.server.address() as AddressInfo).port}`;
  });
  afterAll(() => host.close());

  it('posts the relative form action to the prefixed confirm route', async () => {
    const callback = `${base}/wechat/oauth/callback?returnTo=%2F`;
    const query = new URLSearchParams({
      appid: appId,
      redirect_uri: callback,
      response_type: 'code',
      scope: 'snsapi_userinfo',
      state: 'MountedState42',
    });
    const pageUrl = `${base}/sandbox/connect/oauth2/authorize?${query}`;
    const page = await fetch(pageUrl, { redirect: 'manual' });
    expect(page.status).toBe(200);
    expect(page.headers.get('x-wechat-sandbox')).toBe('simulator');
    const html = await page.text();
    const action = /<form method="post" action="([^"]+)">/.exec(html)![1]!;
    const target = new URL(action, pageUrl);
    expect(target.pathname).toBe('/sandbox/connect/oauth2/authorize/confirm');

    const res = await fetch(target, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: formFields(html, 'html', 'allow'),
    });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(`${base}/wechat/oauth/callback`);
    expect(location.searchParams.get('returnTo')).toBe('/');
    expect(location.searchParams.get('state')).toBe('MountedState42');
    const code = location.searchParams.get('code')!;

    const token = await fetch(
      `${base}/sandbox/sns/oauth2/access_token?appid=${appId}&secret=${appSecret}&code=${code}&grant_type=authorization_code`,
    );
    expect(await token.json()).toMatchObject({ openid: sandbox.openidOf(appId, 'html'), scope: 'snsapi_userinfo' });
    expect(sandbox.calls()).toMatchObject({
      'connect/oauth2/authorize': 1,
      'connect/oauth2/authorize/confirm': 1,
      'sns/oauth2/access_token': 1,
    });
  });
});
