import { platformToken } from './component.spec.helper.js';
import { LocalStore } from '../../store/local-store.js';
import { MessageCipher } from '../messages/message-cipher.js';
import { messageSignature, urlSignature } from '../messages/message-signature.js';
import type { Transport } from '../ports.js';
import { Problem } from '../problem.js';
import { readComponentPush } from './component-push.js';
import { VERIFY_TICKET_TTL_MS, VerifyTickets } from './verify-ticket.js';

// ../shared/protocol/open-platform.md B13, V4: a component_verify_ticket push (the official sample key and appId)
const V4 = {
  appId: 'wxb11529c136998cb6',
  token: 'pamtest',
  aesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  timestamp: '1413192605',
  nonce: '1234567890',
  signature: '17a2f1dcd2c5ad8960c5d5d175691ef136e55853',
  msgSignature: '2d752445f116f59d435a8cdc6fe5c1a2a2e2c626',
  encrypt:
    'jn1L23DB+6ELqJ+6bruv293rPpSL6fYxg6BDkkzYz7n5FaruNu9ETnDzKAGNHOwi3iS1dtJjb7lhUPa2hDj8UKl8G44B4xxrS2z8t6wHanPQn0CKrwiqM8rxipGHSGuOvJynh1NQgxG8PuFf07tMk5uVPmYtrbnyph0lMFwIMcsKixFkhvy5D1GWWAC48rneKKsyuRK156nvKCIym0gcMgDx1QZFsrJnYUc0wF5S+Q1uAmCg3TmPEHEveNlHVl5et3aMA/VRXjruIYkCcbX2l6EXb8bSD4jcRTeVyjUMloQFhHIxGJu5i1Hk2w7MOUKX37gegiRFnoNxNZmcRPq5i75Ibk+ghkSuiAhO3U2fpHzqR+MMiClva9kM/rUqb7WK',
};
const keys = { componentAppId: V4.appId, token: V4.token, cipher: new MessageCipher(V4.aesKey, V4.appId) };
const envelope = (encrypt: string) =>
  `<xml><AppId><![CDATA[${V4.appId}]]></AppId><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`;
const vectorQuery = {
  signature: V4.signature,
  timestamp: V4.timestamp,
  nonce: V4.nonce,
  encrypt_type: 'aes',
  msg_signature: V4.msgSignature,
};

/** A push of `inner` as WeChat would send it to this platform (our cipher; the vector above checks it against the world). */
function push(inner: string, cipher = keys.cipher) {
  const encrypt = cipher.encrypt(inner);
  const [timestamp, nonce] = ['1700000000', '42'];
  const query = {
    signature: urlSignature(V4.token, timestamp, nonce),
    timestamp,
    nonce,
    encrypt_type: 'aes',
    msg_signature: messageSignature(V4.token, timestamp, nonce, encrypt),
  };
  return { body: envelope(encrypt), query };
}
const event = (fields: string) => `<xml><AppId><![CDATA[${V4.appId}]]></AppId><CreateTime>1700000000</CreateTime>${fields}</xml>`;

function problemOf(fn: () => unknown): { status: number; code: string } {
  try {
    fn();
  } catch (error) {
    if (error instanceof Problem) return { status: error.statusCode, code: error.code };
    throw error;
  }
  throw new Error('no problem thrown');
}

describe('readComponentPush', () => {
  it('reads the known-answer ticket push (B13 V4)', () => {
    expect(readComponentPush(envelope(V4.encrypt), vectorQuery, keys)).toEqual({
      type: 'component_verify_ticket',
      ticket: 'ticket@@@test_verify_ticket',
      createTime: 1413192605,
    });
  });

  it('refuses a wrong signature, a wrong msg_signature, and a push that is not encrypted (401)', () => {
    const refused = { status: 401, code: 'MESSAGE_SIGNATURE_INVALID' };
    expect(problemOf(() => readComponentPush(envelope(V4.encrypt), { ...vectorQuery, signature: 'x'.repeat(40) }, keys))).toEqual(
      {
        status: 401,
        code: 'MESSAGE_SIGNATURE_INVALID',
      },
    );
    expect(
      problemOf(() => readComponentPush(envelope(V4.encrypt), { ...vectorQuery, msg_signature: V4.signature }, keys)),
    ).toEqual(refused);
    const { encrypt_type: _plain, ...unencrypted } = vectorQuery;
    expect(problemOf(() => readComponentPush(envelope(V4.encrypt), unencrypted, keys))).toEqual(refused);
  });

  it('refuses a push encrypted for another appId, and a plaintext naming another platform', () => {
    const other = push(
      event('<InfoType>component_verify_ticket</InfoType><ComponentVerifyTicket>t</ComponentVerifyTicket>'),
      new MessageCipher(V4.aesKey, 'wx0000000000000000'),
    );
    expect(problemOf(() => readComponentPush(other.body, other.query, keys)).status).toBe(400);
    const named = push(event('<InfoType>x</InfoType>').replace(V4.appId, 'wx0000000000000000'));
    expect(problemOf(() => readComponentPush(named.body, named.query, keys))).toEqual({
      status: 400,
      code: 'MESSAGE_XML_INVALID',
    });
  });

  it('reads authorized, updateauthorized and unauthorized, and acknowledges other InfoTypes', () => {
    const authorized = (type: string) =>
      push(
        event(
          `<InfoType><![CDATA[${type}]]></InfoType><AuthorizerAppid><![CDATA[wxa0]]></AuthorizerAppid><AuthorizationCode><![CDATA[queryauthcode@@@x]]></AuthorizationCode><AuthorizationCodeExpiredTime>1700003600</AuthorizationCodeExpiredTime><PreAuthCode><![CDATA[p]]></PreAuthCode>`,
        ),
      );
    for (const type of ['authorized', 'updateauthorized']) {
      const p = authorized(type);
      expect(readComponentPush(p.body, p.query, keys)).toEqual({
        type,
        authorizerAppId: 'wxa0',
        authorizationCode: 'queryauthcode@@@x',
        createTime: 1700000000,
      });
    }
    const gone = push(event('<InfoType><![CDATA[unauthorized]]></InfoType><AuthorizerAppid><![CDATA[wxa0]]></AuthorizerAppid>'));
    expect(readComponentPush(gone.body, gone.query, keys)).toEqual({
      type: 'unauthorized',
      authorizerAppId: 'wxa0',
      createTime: 1700000000,
    });
    const other = push(event('<InfoType><![CDATA[notify_third_fasteregister]]></InfoType>'));
    expect(readComponentPush(other.body, other.query, keys)).toEqual({ type: 'other', infoType: 'notify_third_fasteregister' });
  });

  it('refuses an empty ticket and a CreateTime that is not a time, and takes a CreateTime of 0', () => {
    for (const fields of [
      '<InfoType>component_verify_ticket</InfoType><ComponentVerifyTicket></ComponentVerifyTicket>',
      '<InfoType>component_verify_ticket</InfoType><ComponentVerifyTicket><![CDATA[]]></ComponentVerifyTicket>',
    ]) {
      const p = push(event(fields));
      expect(problemOf(() => readComponentPush(p.body, p.query, keys))).toEqual({ status: 400, code: 'MESSAGE_XML_INVALID' });
    }
    const at = (time: string) =>
      push(
        `<xml><AppId>${V4.appId}</AppId><CreateTime>${time}</CreateTime><InfoType>unauthorized</InfoType><AuthorizerAppid>wxa0</AuthorizerAppid></xml>`,
      );
    for (const time of ['-5', '1.5', 'abc']) {
      const p = at(time);
      expect(problemOf(() => readComponentPush(p.body, p.query, keys)).code).toBe('MESSAGE_XML_INVALID');
    }
    const zero = at('0');
    expect(readComponentPush(zero.body, zero.query, keys)).toMatchObject({ type: 'unauthorized', createTime: 0 });
  });

  it('refuses an event without the fields its type needs (400)', () => {
    for (const fields of [
      '<InfoType>component_verify_ticket</InfoType>',
      '<InfoType>authorized</InfoType><AuthorizerAppid>wxa0</AuthorizerAppid>',
      '<InfoType>unauthorized</InfoType>',
      '<ComponentVerifyTicket>t</ComponentVerifyTicket>',
    ]) {
      const p = push(event(fields));
      expect(problemOf(() => readComponentPush(p.body, p.query, keys))).toEqual({ status: 400, code: 'MESSAGE_XML_INVALID' });
    }
    const noTime = push(
      `<xml><AppId>${V4.appId}</AppId><InfoType>component_verify_ticket</InfoType><ComponentVerifyTicket>t</ComponentVerifyTicket></xml>`,
    );
    expect(problemOf(() => readComponentPush(noTime.body, noTime.query, keys)).code).toBe('MESSAGE_XML_INVALID');
  });
});

describe('VerifyTickets', () => {
  const setUp = () => {
    let now = 1_700_000_000_000;
    const store = new LocalStore(() => now);
    return { tickets: new VerifyTickets(store, 'p:', V4.appId, () => now), advance: (ms: number) => (now += ms) };
  };

  it('answers 503 COMPONENT_TICKET_MISSING before the first push, then the latest ticket', async () => {
    const { tickets } = setUp();
    await expect(tickets.current()).rejects.toMatchObject({ statusCode: 503, code: 'COMPONENT_TICKET_MISSING' });
    expect(await tickets.save('ticket@@@one', 1_700_000_000)).toBe(true);
    expect(await tickets.current()).toBe('ticket@@@one');
    expect(await tickets.save('ticket@@@two', 1_700_000_600)).toBe(true);
    expect(await tickets.current()).toBe('ticket@@@two');
  });

  it('never lets an older push arriving late replace a newer ticket', async () => {
    const { tickets } = setUp();
    await tickets.save('ticket@@@new', 1_700_000_600);
    expect(await tickets.save('ticket@@@old', 1_700_000_000)).toBe(false);
    expect(await tickets.current()).toBe('ticket@@@new');
  });

  it('takes a second push of the same moment (the last one wins), and keeps each platform’s ticket apart', async () => {
    const store = new LocalStore();
    const one = new VerifyTickets(store, 'p:', V4.appId);
    const other = new VerifyTickets(store, 'p:', 'wx0000000000000000');
    const now = Math.floor(Date.now() / 1000);
    await one.save('ticket@@@a', now);
    expect(await one.save('ticket@@@b', now)).toBe(true);
    expect(await one.current()).toBe('ticket@@@b');
    await expect(other.current()).rejects.toMatchObject({ code: 'COMPONENT_TICKET_MISSING' });
  });

  it('takes what the store hands back in another shape for no ticket', async () => {
    const store = new LocalStore();
    const tickets = new VerifyTickets(store, 'p:', V4.appId);
    for (const garbage of [
      null,
      'ticket@@@x',
      { ticket: '', createTime: 1 },
      { ticket: 't', createTime: '1' },
      { createTime: 1 },
    ]) {
      await store.set(`p:{${V4.appId}}:component_verify_ticket`, garbage, 60_000);
      await expect(tickets.current()).rejects.toMatchObject({ code: 'COMPONENT_TICKET_MISSING' });
    }
  });

  it('keeps a ticket 12 hours from its push', async () => {
    const { tickets, advance } = setUp();
    await tickets.save('ticket@@@one', 1_700_000_000);
    advance(VERIFY_TICKET_TTL_MS - 1);
    expect(await tickets.current()).toBe('ticket@@@one');
    advance(1);
    await expect(tickets.current()).rejects.toMatchObject({ code: 'COMPONENT_TICKET_MISSING' });
    // a push already older than 12 hours is not kept at all
    expect(await tickets.save('ticket@@@stale', 1_700_000_000)).toBe(false);
  });
});

describe('ComponentToken', () => {
  function setUp() {
    const store = new LocalStore();
    const calls: { endpoint: string; body: unknown }[] = [];
    let n = 0;
    const transport = {
      post: async (endpoint: string, body: unknown) => {
        calls.push({ endpoint, body });
        await Promise.resolve();
        return { component_access_token: `component-token-${++n}-0123456789`, expires_in: 7200 };
      },
    } as unknown as Transport;
    const { tickets, token } = platformToken(store, transport, {
      componentAppId: V4.appId,
      componentAppSecret: 'component-secret',
    });
    return { token, tickets, calls };
  }

  it('asks WeChat nothing without a verify ticket (503 COMPONENT_TICKET_MISSING)', async () => {
    const { token, calls } = setUp();
    await expect(token.get()).rejects.toMatchObject({ statusCode: 503, code: 'COMPONENT_TICKET_MISSING' });
    expect(calls).toEqual([]);
  });

  it('fetches once for a burst, with the platform credentials and the current ticket', async () => {
    const { token, tickets, calls } = setUp();
    await tickets.save('ticket@@@current', Math.floor(Date.now() / 1000));
    const values = await Promise.all(Array.from({ length: 20 }, () => token.get()));
    expect(new Set(values)).toEqual(new Set(['component-token-1-0123456789']));
    expect(calls).toEqual([
      {
        endpoint: 'cgi-bin/component/api_component_token',
        body: { component_appid: V4.appId, component_appsecret: 'component-secret', component_verify_ticket: 'ticket@@@current' },
      },
    ]);
    expect(await token.get()).toBe('component-token-1-0123456789');
    expect(calls).toHaveLength(1);
  });

  it('replaces a token WeChat rejected, once', async () => {
    const { token, tickets, calls } = setUp();
    await tickets.save('ticket@@@current', Math.floor(Date.now() / 1000));
    const first = await token.get();
    const [a, b] = await Promise.all([token.replace(first), token.replace(first)]);
    expect(a).toBe('component-token-2-0123456789');
    expect(b).toBe(a);
    expect(calls).toHaveLength(2);
  });
});
