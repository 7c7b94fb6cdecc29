import { Test } from '@nestjs/testing';
import { WechatAccounts } from '../../core/accounts/wechat-accounts.js';
import { jsapiSignature } from '../../core/jssdk/signature.js';
import { WechatModule } from '../wechat.module.js';
import type { CredentialKind } from '../../core/credentials/credential-kinds.js';
import type { CredentialSource } from '../../core/credentials/credential-source.js';

const TOKEN = 'TOKEN_from_the_source_0123456789';
const NEWER = 'TOKEN_newer_from_the_source_0123';
const TICKET = 'TICKET_from_the_source_0123456789';
const CARD_TICKET = 'CARD_TICKET_from_the_source_0123456';

describe('WechatModule with a credentialSource of the host', () => {
  it('reads tokens and tickets from it, once per window, and reports a rejected token to it', async () => {
    const asked: string[] = [];
    const source: CredentialSource = {
      fetch: (appId: string, kind: CredentialKind) => {
        asked.push(`${appId} ${kind}`);
        const value = { access_token: TOKEN, jsapi_ticket: TICKET, wx_card_ticket: CARD_TICKET }[kind];
        return Promise.resolve({ value, expiresInSec: 7200 });
      },
      reportInvalid: (appId: string, value: string) => {
        asked.push(`${appId} invalid ${value}`);
        return Promise.resolve({ value: NEWER, expiresInSec: 7200 });
      },
    };
    const moduleRef = await Test.createTestingModule({
      imports: [
        WechatModule.forRoot({
          appId: 'wxsourcehost01',
          appSecret: 'not-used-for-tokens-0123',
          apiBaseUrl: 'http://127.0.0.1:9', // nothing answers there: any call to WeChat would fail
          credentialSource: source,
          routes: false,
        }),
      ],
    }).compile();
    await moduleRef.init();
    try {
      const account = moduleRef.get(WechatAccounts).get();
      expect(await account.tokens.getAccessToken()).toBe(TOKEN);
      expect(await account.tokens.getAccessToken()).toBe(TOKEN);
      const config = await account.signature.configFor('https://h5.example.com/a');
      expect(config.signature).toBe(
        jsapiSignature({
          ticket: TICKET,
          nonceStr: config.nonceStr,
          timestamp: config.timestamp,
          url: 'https://h5.example.com/a',
        }),
      );
      const replaced = await moduleRef.get(WechatAccounts).default.tokens.replaceAccessToken(TOKEN);
      expect(replaced).toBe(NEWER);
      // the card ticket is its own kind at the source, never the jsapi_ticket
      expect(await moduleRef.get(WechatAccounts).default.tickets.getCardTicket()).toBe(CARD_TICKET);
      expect(asked).toEqual([
        'wxsourcehost01 access_token',
        'wxsourcehost01 jsapi_ticket',
        `wxsourcehost01 invalid ${TOKEN}`,
        'wxsourcehost01 wx_card_ticket',
      ]);
    } finally {
      await moduleRef.close();
    }
  });

  it('refuses a remote source or a proxy it cannot use, at start-up, without repeating a secret', async () => {
    const start = (options: object) =>
      Test.createTestingModule({
        imports: [WechatModule.forRoot({ appId: 'wxsourcehost01', appSecret: 'x-0123456789', routes: false, ...options })],
      }).compile();
    await expect(start({ credentialSource: { url: 'nope', token: 't' } })).rejects.toThrow(
      'WechatModule: credentialSource.url: must be an absolute http(s) url',
    );
    for (const httpProxy of ['socks5://egress:1080', 'http://u:pw-secret@egress:3128/path', 'not a url pw-secret']) {
      const error = await start({ httpProxy }).catch((e: Error) => e);
      expect(String(error)).toMatch(/WechatModule: httpProxy must be/);
      expect(String(error)).not.toContain('pw-secret');
    }
  });
});

describe('proxySettings', () => {
  it('reads a proxy url into what axios takes, credentials decoded', async () => {
    const { proxySettings } = await import('../../transport/egress-proxy.js');
    expect(proxySettings('http://egress.internal:3128')).toEqual({
      protocol: 'http',
      host: 'egress.internal',
      port: 3128,
      auth: undefined,
    });
    expect(proxySettings('https://a%40b:p%3Ass@10.0.0.9')).toEqual({
      protocol: 'https',
      host: '10.0.0.9',
      port: 443,
      auth: { username: 'a@b', password: 'p:ss' },
    });
    expect(proxySettings('http://[::1]:8080/').host).toBe('::1');
  });
});
