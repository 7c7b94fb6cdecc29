import { COMPONENT, platformToken, pushTicket } from './component.spec.helper.js';
import { LocalStore } from '../../store/local-store.js';
import { MessageCipher } from '../messages/message-cipher.js';
import { messageSignature, urlSignature } from '../messages/message-signature.js';
import type { Transport } from '../ports.js';
import { WechatApiError } from '../wechat-api.error.js';
import { StoreAuthorizers } from './authorizers.js';
import { ComponentApi } from './component-api.js';
import { ComponentDesk } from './component-desk.js';

const TOKEN = 'ComponentToken2026';
const AES = 'ComponentAesKeyNotSecret0123456789abcdefghi';
const cipher = new MessageCipher(AES, COMPONENT);

function push(fields: string, createTime = Math.floor(Date.now() / 1000)) {
  const encrypt = cipher.encrypt(
    `<xml><AppId><![CDATA[${COMPONENT}]]></AppId><CreateTime>${createTime}</CreateTime>${fields}</xml>`,
  );
  const [timestamp, nonce] = [String(createTime), '7'];
  return {
    body: `<xml><AppId><![CDATA[${COMPONENT}]]></AppId><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`,
    query: {
      signature: urlSignature(TOKEN, timestamp, nonce),
      timestamp,
      nonce,
      encrypt_type: 'aes',
      msg_signature: messageSignature(TOKEN, timestamp, nonce, encrypt),
    },
  };
}
const authorized = (code: string, type = 'authorized') =>
  push(
    `<InfoType><![CDATA[${type}]]></InfoType><AuthorizerAppid><![CDATA[wxa1]]></AuthorizerAppid><AuthorizationCode><![CDATA[${code}]]></AuthorizationCode>`,
  );

function setUp(
  queryAuth: (code: string) => object = () => ({
    authorization_info: {
      authorizer_appid: 'wxa1',
      authorizer_refresh_token: 'refreshtoken@@@one',
      func_info: [{ funcscope_category: { id: 1 } }],
    },
  }),
) {
  const store = new LocalStore();
  const authorizers = new StoreAuthorizers(store, 'p:', COMPONENT);
  const transport = {
    post: async (endpoint: string, body: Record<string, unknown>) =>
      endpoint === 'cgi-bin/component/api_component_token'
        ? { component_access_token: 'component-token-0123456789', expires_in: 7200 }
        : queryAuth(String(body.authorization_code)),
  } as unknown as Transport;
  const { tickets, token } = platformToken(store, transport);
  const logs: string[] = [];
  const desk = new ComponentDesk({
    keys: { componentAppId: COMPONENT, token: TOKEN, cipher },
    tickets,
    api: new ComponentApi({ componentAppId: COMPONENT }, token, transport),
    authorizers,
    log: {
      log: (m: string) => void logs.push(m),
      warn: (m: string) => void logs.push(m),
      error: (m: string) => void logs.push(m),
    },
    now: () => Date.UTC(2026, 11, 8),
  });
  return { desk, tickets, authorizers, logs };
}

describe('ComponentDesk', () => {
  it('keeps the verify ticket of a push, and says when a push was older than the kept one', async () => {
    const { desk, tickets } = setUp();
    const now = Math.floor(Date.now() / 1000);
    const first = push(
      '<InfoType>component_verify_ticket</InfoType><ComponentVerifyTicket><![CDATA[ticket@@@new]]></ComponentVerifyTicket>',
      now,
    );
    expect(await desk.receive(first.body, first.query)).toBe('ticket');
    expect(await tickets.current()).toBe('ticket@@@new');
    const late = push(
      '<InfoType>component_verify_ticket</InfoType><ComponentVerifyTicket><![CDATA[ticket@@@old]]></ComponentVerifyTicket>',
      now - 600,
    );
    expect(await desk.receive(late.body, late.query)).toBe('stale_ticket');
    expect(await tickets.current()).toBe('ticket@@@new');
  });

  it('turns an authorized push into a kept authorizer, and forgets it on unauthorized', async () => {
    const { desk, tickets, authorizers } = setUp();
    await pushTicket(tickets);
    const p = authorized('queryauthcode@@@1');
    expect(await desk.receive(p.body, p.query)).toBe('authorized');
    expect(await authorizers.load('wxa1')).toEqual({
      authorizerAppId: 'wxa1',
      refreshToken: 'refreshtoken@@@one',
      permissionSets: [1],
      authorizedAt: '2026-12-08T00:00:00.000Z',
    });
    const gone = push('<InfoType>unauthorized</InfoType><AuthorizerAppid><![CDATA[wxa1]]></AuthorizerAppid>');
    expect(await desk.receive(gone.body, gone.query)).toBe('unauthorized');
    expect(await authorizers.list()).toEqual([]);
    const other = push('<InfoType>notify_third_fasteregister</InfoType>');
    expect(await desk.receive(other.body, other.query)).toBe('ignored');
  });

  it('answers a verified push whose authorization fails as failed (still success for WeChat), naming no code', async () => {
    const { desk, tickets, authorizers, logs } = setUp(() => {
      throw new WechatApiError(61010, 'code expired', 'cgi-bin/component/api_query_auth');
    });
    await pushTicket(tickets);
    const p = authorized('queryauthcode@@@secret-code');
    expect(await desk.receive(p.body, p.query)).toBe('failed');
    expect(await authorizers.list()).toEqual([]);
    expect(logs.join('\n')).toContain('wxa1');
    expect(logs.join('\n')).not.toContain('queryauthcode');
  });

  it('refuses a push with a wrong signature before keeping anything', async () => {
    const { desk, tickets } = setUp();
    const p = push('<InfoType>component_verify_ticket</InfoType><ComponentVerifyTicket>ticket@@@x</ComponentVerifyTicket>');
    await expect(desk.receive(p.body, { ...p.query, msg_signature: '0'.repeat(40) })).rejects.toMatchObject({ statusCode: 401 });
    await expect(tickets.current()).rejects.toMatchObject({ code: 'COMPONENT_TICKET_MISSING' });
  });

  it('re-authorization clears the mark, and keeps the refresh token it had when WeChat gives none', async () => {
    let withToken = true;
    const { desk, tickets, authorizers } = setUp(() => ({
      authorization_info: {
        authorizer_appid: 'wxa1',
        ...(withToken ? { authorizer_refresh_token: 'refreshtoken@@@two' } : {}),
        func_info: [],
      },
    }));
    await pushTicket(tickets);
    await authorizers.save({
      authorizerAppId: 'wxa1',
      refreshToken: 'refreshtoken@@@old',
      permissionSets: [],
      authorizedAt: 'x',
      needsAuthorization: true,
    });
    expect(await desk.authorize('queryauthcode@@@a')).toBe('wxa1');
    expect(await authorizers.load('wxa1')).toMatchObject({ refreshToken: 'refreshtoken@@@two' });
    expect((await authorizers.load('wxa1'))?.needsAuthorization).toBeUndefined();
    withToken = false;
    await desk.authorize('queryauthcode@@@b');
    expect((await authorizers.load('wxa1'))?.refreshToken).toBe('refreshtoken@@@two');
    await authorizers.remove('wxa1');
    await expect(desk.authorize('queryauthcode@@@c')).rejects.toThrow(/no refresh token/);
  });
});
