import { COMPONENT, platformToken, pushTicket } from './component.spec.helper.js';
import { LocalStore } from '../../store/local-store.js';
import type { Transport } from '../ports.js';
import { WechatApiError } from '../wechat-api.error.js';
import { ComponentApi } from './component-api.js';
import { ComponentToken } from './component-token.js';

type Call = { endpoint: string; body: Record<string, unknown>; query?: Record<string, unknown>; context?: unknown };

/** The platform's calls, answered by `answer` (component tokens are numbered: component-token-N-…). */
async function setUp(answer: (call: Call) => object | Promise<object>) {
  const store = new LocalStore();
  const calls: Call[] = [];
  let tokens = 0;
  const transport = {
    post: async (endpoint: string, body: Record<string, unknown>, query?: Record<string, unknown>, context?: unknown) => {
      const call = { endpoint, body, ...(query ? { query } : {}), context };
      if (endpoint === 'cgi-bin/component/api_component_token') {
        return { component_access_token: `component-token-${++tokens}-0123456789`, expires_in: 7200 };
      }
      calls.push(call);
      return answer(call);
    },
  } as unknown as Transport;
  const { tickets, token } = platformToken(store, transport);
  await pushTicket(tickets, 'ticket@@@current');
  return { api: new ComponentApi({ componentAppId: COMPONENT }, token, transport), calls, tokenCount: () => tokens };
}

describe('ComponentApi', () => {
  it('asks for a pre_auth_code with the platform token, and builds both authorization pages', async () => {
    const { api, calls } = await setUp(() => ({ pre_auth_code: 'preauthcode@@@abc', expires_in: 600 }));
    expect(await api.preAuthCode()).toBe('preauthcode@@@abc');
    expect(calls).toEqual([
      {
        endpoint: 'cgi-bin/component/api_create_preauthcode',
        body: { component_appid: COMPONENT },
        query: { component_access_token: 'component-token-1-0123456789' },
        context: { appId: COMPONENT },
      },
    ]);
    const back = 'https://h5.example.com/wechat/component/callback?returnTo=/x';
    expect(api.authorizationUrl('preauthcode@@@abc', back)).toBe(
      `https://mp.weixin.qq.com/cgi-bin/componentloginpage?component_appid=${COMPONENT}&pre_auth_code=preauthcode%40%40%40abc` +
        `&redirect_uri=${encodeURIComponent(back)}&auth_type=1`,
    );
    expect(api.authorizationUrl('p', back, 'mobile')).toBe(
      `https://mp.weixin.qq.com/safe/bindcomponent?action=bindcomponent&no_scan=1&component_appid=${COMPONENT}&pre_auth_code=p` +
        `&redirect_uri=${encodeURIComponent(back)}&auth_type=1#wechat_redirect`,
    );
  });

  it('turns an authorization code into the authorizer, its tokens and its permission sets', async () => {
    const { api, calls } = await setUp(() => ({
      authorization_info: {
        authorizer_appid: 'wxf8b4f85f3a794e77',
        authorizer_access_token: 'QXjUqNqfYVH0yBE1iIFes0qM',
        expires_in: 7200,
        authorizer_refresh_token: 'refreshtoken@@@dTo-YCXPL4llX-u1W1pPpnp8Hgm4wpJtlR6iV0doKdY',
        func_info: [{ funcscope_category: { id: 1 } }, { funcscope_category: { id: 4 } }, { other: true }, null],
      },
    }));
    expect(await api.queryAuth('queryauthcode@@@x')).toEqual({
      authorizerAppId: 'wxf8b4f85f3a794e77',
      accessToken: { value: 'QXjUqNqfYVH0yBE1iIFes0qM', expiresInSec: 7200 },
      refreshToken: 'refreshtoken@@@dTo-YCXPL4llX-u1W1pPpnp8Hgm4wpJtlR6iV0doKdY',
      permissionSets: [1, 4],
    });
    expect(calls[0].body).toEqual({ component_appid: COMPONENT, authorization_code: 'queryauthcode@@@x' });
  });

  it('takes an authorization without API permission sets (no tokens), and refuses one without an authorizer', async () => {
    const bare = await setUp(() => ({ authorization_info: { authorizer_appid: 'wxa1', func_info: [] } }));
    expect(await bare.api.queryAuth('c')).toEqual({ authorizerAppId: 'wxa1', permissionSets: [] });
    const broken = await setUp(() => ({ authorization_info: {} }));
    await expect(broken.api.queryAuth('c')).rejects.toMatchObject({ statusCode: 503 });
  });

  it('refreshes an authorizer token, keeping the refresh token WeChat returns (or the one it had)', async () => {
    let rotate = true;
    const { api, calls } = await setUp(() => ({
      authorizer_access_token: 'authorizer-token-0123456789',
      expires_in: 7200,
      ...(rotate ? { authorizer_refresh_token: 'refreshtoken@@@next' } : {}),
    }));
    expect(await api.authorizerToken('wxa1', 'refreshtoken@@@first')).toEqual({
      value: 'authorizer-token-0123456789',
      expiresInSec: 7200,
      refreshToken: 'refreshtoken@@@next',
    });
    expect(calls[0].body).toEqual({
      component_appid: COMPONENT,
      authorizer_appid: 'wxa1',
      authorizer_refresh_token: 'refreshtoken@@@first',
    });
    rotate = false;
    expect((await api.authorizerToken('wxa1', 'refreshtoken@@@first')).refreshToken).toBe('refreshtoken@@@first');
  });

  it('says an authorizer needs authorizing again on 61023', async () => {
    const { api } = await setUp(() => {
      throw new WechatApiError(61023, 'refresh_token is invalid', 'cgi-bin/component/api_authorizer_token');
    });
    await expect(api.authorizerToken('wxa1', 'refreshtoken@@@old')).rejects.toMatchObject({
      statusCode: 503,
      code: 'AUTHORIZER_NEEDS_AUTHORIZATION',
      authorizerAppId: 'wxa1',
    });
  });

  it('replaces an invalid platform token once and repeats the call; other errors pass through', async () => {
    let first = true;
    const { api, calls, tokenCount } = await setUp(() => {
      if (first) {
        first = false;
        throw new WechatApiError(40001, 'invalid credential', 'cgi-bin/component/api_create_preauthcode');
      }
      return { pre_auth_code: 'preauthcode@@@2' };
    });
    expect(await api.preAuthCode()).toBe('preauthcode@@@2');
    expect(calls.map((c) => c.query)).toEqual([
      { component_access_token: 'component-token-1-0123456789' },
      { component_access_token: 'component-token-2-0123456789' },
    ]);
    expect(tokenCount()).toBe(2);
    const failing = await setUp(() => {
      throw new WechatApiError(45009, 'quota', 'cgi-bin/component/api_create_preauthcode');
    });
    await expect(failing.api.preAuthCode()).rejects.toMatchObject({ errcode: 45009 });
    expect(failing.calls).toHaveLength(1);
  });

  it('refuses an answer without a pre_auth_code, and takes a page base url with trailing slashes', async () => {
    const { api } = await setUp(() => ({ pre_auth_code: '', expires_in: 600 }));
    await expect(api.preAuthCode()).rejects.toMatchObject({ statusCode: 503 });
    const other = await setUp(() => ({ expires_in: 600 }));
    await expect(other.api.preAuthCode()).rejects.toMatchObject({ statusCode: 503 });
    const token = (api as unknown as { token: ComponentToken }).token;
    const paged = new ComponentApi(
      { componentAppId: COMPONENT, authorizePageBaseUrl: 'http://127.0.0.1:9/sandbox//' },
      token,
      {} as Transport,
    );
    expect(paged.authorizationUrl('p', 'https://x/cb')).toMatch(
      /^http:\/\/127\.0\.0\.1:9\/sandbox\/cgi-bin\/componentloginpage\?/,
    );
  });

  it('passes other errors of api_authorizer_token through, and counts only whole-number permission sets', async () => {
    const { api } = await setUp(() => {
      throw new WechatApiError(45009, 'quota', 'cgi-bin/component/api_authorizer_token');
    });
    await expect(api.authorizerToken('wxa1', 'refreshtoken@@@x')).rejects.toMatchObject({
      errcode: 45009,
      code: 'WECHAT_API_ERROR',
    });
    const sets = await setUp(() => ({
      authorization_info: {
        authorizer_appid: 'wxa1',
        func_info: [{ funcscope_category: { id: '1' } }, { funcscope_category: { id: 1.5 } }, { funcscope_category: { id: 7 } }],
      },
    }));
    expect((await sets.api.queryAuth('c')).permissionSets).toEqual([7]);
  });
});
