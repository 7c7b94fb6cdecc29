import { checkEcho, checkPushQuery, messageKey, openPushBody } from './inbound-message.js';
import { MessageCipher } from './message-cipher.js';
import {
  MessageAesKeyMissingError,
  MessageCryptoError,
  MessageSignatureError,
  MessageTooLargeError,
  MessageXmlError,
} from './message-errors.js';
import { messageSignature, urlSignature } from './message-signature.js';

// Known answers of open-platform.md B13, copied exactly.
const KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const APP_ID = 'wxb11529c136998cb6';
const TOKEN = 'pamtest';
const V1 = {
  msgSignature: '4f3ad57b6989f09f4eb392acce4f9e93942ed890',
  nonce: '260774613',
  timestamp: '1458300676',
  encrypt:
    'rTNFcsut4LfGuAFKEUVVpwcaCOTJzOd9twZdIW910jb3k+iicx2uvhttIZ3Qg9Qgty3BEF2xbOrz6boTfb30dMomcgrkTqdFPwnhqbk+kIQ7rZiwny9D7NUrTgA5kpX3KsZvrXzUZyP2x9YOlxbgm572lmxKvM7HAQQhIQ/p6HBmoY30bGXFK0BtIu1pW9TjhOYrLQoU18nWYjWqDA1ynkmOytpv7QRI1P1+0NoxL0q2zO1DgeSvnE8CZGo/o5Ap/WHK5W2RAsinpzN4/LjPnmB6U01I5XCoJoC0GK/yMZycd2Oh8Nq6+wBkC1U85oy0ktOY4nLvsQMLrourmMGdZHuTbqpeJ8Ao/5PRYJ+WBvRUwPfGKBL2+2IKZF49vAJqkcGWSHGE76ZN2erXeuNazf/o9o3lIE3q739o4c8t9QGPe31GT2Go/rOz1BsrASwvauNulCh+++yz+CQzBIuikA==',
};
const V1_FIELDS = {
  URL: 'http://wechat.laravel.so/server',
  ToUserName: 'asdasdasd',
  FromUserName: 'asdasdasdsadasd',
  CreateTime: '1234567898',
  MsgType: 'text',
  Content: 'hello',
  MsgId: '12345',
};
const V4 = {
  timestamp: '1413192605',
  nonce: '1234567890',
  encrypt:
    'jn1L23DB+6ELqJ+6bruv293rPpSL6fYxg6BDkkzYz7n5FaruNu9ETnDzKAGNHOwi3iS1dtJjb7lhUPa2hDj8UKl8G44B4xxrS2z8t6wHanPQn0CKrwiqM8rxipGHSGuOvJynh1NQgxG8PuFf07tMk5uVPmYtrbnyph0lMFwIMcsKixFkhvy5D1GWWAC48rneKKsyuRK156nvKCIym0gcMgDx1QZFsrJnYUc0wF5S+Q1uAmCg3TmPEHEveNlHVl5et3aMA/VRXjruIYkCcbX2l6EXb8bSD4jcRTeVyjUMloQFhHIxGJu5i1Hk2w7MOUKX37gegiRFnoNxNZmcRPq5i75Ibk+ghkSuiAhO3U2fpHzqR+MMiClva9kM/rUqb7WK',
  msgSignature: '2d752445f116f59d435a8cdc6fe5c1a2a2e2c626',
  signature: '17a2f1dcd2c5ad8960c5d5d175691ef136e55853',
};

const cipher = new MessageCipher(KEY, APP_ID);
const v1Query = {
  signature: urlSignature(TOKEN, V1.timestamp, V1.nonce),
  timestamp: V1.timestamp,
  nonce: V1.nonce,
  openid: 'asdasdasdsadasd',
  encrypt_type: 'aes',
  msg_signature: V1.msgSignature,
};
const v1Body = `<xml><ToUserName><![CDATA[asdasdasd]]></ToUserName><Encrypt><![CDATA[${V1.encrypt}]]></Encrypt></xml>`;
const v4Query = { signature: V4.signature, timestamp: V4.timestamp, nonce: V4.nonce };

function aesOptions(query: Record<string, unknown> = v1Query) {
  return { mode: 'aes' as const, query, token: TOKEN, cipher };
}

describe('checkPushQuery', () => {
  it('accepts a plain push signed over the token, timestamp and nonce (V4)', () => {
    expect(checkPushQuery(v4Query, TOKEN)).toEqual({ ok: true, mode: 'plain', timestamp: V4.timestamp, nonce: V4.nonce });
    expect(checkPushQuery({ ...v4Query, encrypt_type: 'raw' }, TOKEN)).toMatchObject({ ok: true, mode: 'plain' });
  });

  it('takes encrypt_type=aes as the encrypted mode, which needs a msg_signature string', () => {
    expect(checkPushQuery(v1Query, TOKEN)).toEqual({ ok: true, mode: 'aes', timestamp: V1.timestamp, nonce: V1.nonce });
    expect(checkPushQuery({ ...v1Query, msg_signature: undefined }, TOKEN)).toEqual({ ok: false });
    expect(checkPushQuery({ ...v1Query, msg_signature: [V1.msgSignature] }, TOKEN)).toEqual({ ok: false });
  });

  it.each([
    ['a wrong signature', { ...v4Query, signature: V4.msgSignature }],
    ['another token', v4Query, 'other'],
    ['no signature', { ...v4Query, signature: undefined }],
    ['no timestamp', { ...v4Query, timestamp: undefined }],
    ['no nonce', { ...v4Query, nonce: undefined }],
    ['a repeated nonce', { ...v4Query, nonce: [V4.nonce, V4.nonce] }],
    ['a numeric timestamp', { ...v4Query, timestamp: 1413192605 }],
  ])('refuses %s', (_case, query, token = TOKEN) => {
    expect(checkPushQuery(query, token)).toEqual({ ok: false });
  });
});

describe('checkEcho', () => {
  it('answers echostr when the signature matches', () => {
    expect(checkEcho({ ...v4Query, echostr: '5927782489442352469' }, TOKEN)).toBe('5927782489442352469');
  });

  it.each([
    ['a wrong signature', { ...v4Query, signature: V4.msgSignature, echostr: 'e' }],
    ['another nonce', { ...v4Query, nonce: '1234567891', echostr: 'e' }],
    ['no echostr', v4Query],
    ['a repeated echostr', { ...v4Query, echostr: ['e', 'f'] }],
  ])('answers nothing for %s', (_case, query) => {
    expect(checkEcho(query, TOKEN)).toBeUndefined();
  });
});

describe('openPushBody', () => {
  it('reads a plain push as it is', () => {
    const body = '<xml><ToUserName><![CDATA[gh_a]]></ToUserName><MsgId>12345678901234567890</MsgId></xml>';
    expect(openPushBody(body, { mode: 'plain', query: v4Query, token: TOKEN })).toEqual({
      message: { ToUserName: 'gh_a', MsgId: '12345678901234567890' },
      encrypted: false,
    });
  });

  it('opens the safe-mode V1 push to its decrypted fields', () => {
    expect(openPushBody(Buffer.from(v1Body), aesOptions())).toEqual({ message: V1_FIELDS, encrypted: true });
  });

  it('opens the component ticket push of V4, whose envelope has AppId and no ToUserName', () => {
    const body = `<xml><AppId><![CDATA[${APP_ID}]]></AppId><Encrypt><![CDATA[${V4.encrypt}]]></Encrypt></xml>`;
    const query = { ...v4Query, encrypt_type: 'aes', msg_signature: V4.msgSignature };
    expect(openPushBody(body, aesOptions(query)).message).toEqual({
      AppId: APP_ID,
      CreateTime: '1413192605',
      InfoType: 'component_verify_ticket',
      ComponentVerifyTicket: 'ticket@@@test_verify_ticket',
    });
  });

  it('in the compatible mode keeps only the decrypted fields: the plain ones are not signed', () => {
    const body = `<xml><Content><![CDATA[forged]]></Content><Forged>1</Forged><Encrypt><![CDATA[${V1.encrypt}]]></Encrypt></xml>`;
    expect(openPushBody(body, aesOptions()).message).toEqual(V1_FIELDS);
  });

  it('refuses a wrong or missing msg_signature with 401, before looking for a key', () => {
    for (const query of [
      { ...v1Query, msg_signature: V4.msgSignature },
      { ...v1Query, msg_signature: undefined },
    ]) {
      expect(() => openPushBody(v1Body, aesOptions(query))).toThrow(MessageSignatureError);
      expect(() => openPushBody(v1Body, { ...aesOptions(query), cipher: undefined })).toThrow(MessageSignatureError);
    }
    expect(() => openPushBody(v1Body, aesOptions({ ...v1Query, nonce: undefined }))).toThrow(MessageSignatureError);
    expect(new MessageSignatureError().statusCode).toBe(401);
    expect(new MessageSignatureError().code).toBe('MESSAGE_SIGNATURE_INVALID');
  });

  it('refuses an encrypted push without a key with 400 MESSAGE_AES_KEY_MISSING', () => {
    expect(() => openPushBody(v1Body, { mode: 'aes', query: v1Query, token: TOKEN })).toThrow(MessageAesKeyMissingError);
    expect(new MessageAesKeyMissingError().statusCode).toBe(400);
    expect(new MessageAesKeyMissingError().code).toBe('MESSAGE_AES_KEY_MISSING');
  });

  it('refuses an encrypted push without Encrypt', () => {
    for (const body of [
      '<xml><ToUserName>a</ToUserName></xml>',
      '<xml><Encrypt></Encrypt></xml>',
      '<xml><Encrypt><A>1</A></Encrypt></xml>',
    ]) {
      expect(() => openPushBody(body, aesOptions())).toThrow(MessageXmlError);
    }
  });

  it('refuses a message encrypted for another appId', () => {
    const other = new MessageCipher(KEY, 'wx0000000000000000');
    expect(() => openPushBody(v1Body, { ...aesOptions(), cipher: other })).toThrow(MessageCryptoError);
  });

  it('guards the decrypted XML as the outer one', () => {
    const encrypt = cipher.encrypt('<!DOCTYPE xml [<!ENTITY a "b">]><xml><A>&a;</A></xml>');
    const query = { ...v1Query, msg_signature: messageSignature(TOKEN, V1.timestamp, V1.nonce, encrypt) };
    expect(() => openPushBody(`<xml><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`, aesOptions(query))).toThrow(
      MessageXmlError,
    );
  });

  it('refuses a body over 64 KiB with 413 before anything else', () => {
    const body = `<xml><Encrypt>${'A'.repeat(64 * 1024)}</Encrypt></xml>`;
    expect(() => openPushBody(body, aesOptions())).toThrow(MessageTooLargeError);
    expect(() => openPushBody(body, { mode: 'plain', query: {}, token: TOKEN })).toThrow(MessageTooLargeError);
  });
});

describe('messageKey', () => {
  it('is the MsgId of a message', () => {
    expect(messageKey(V1_FIELDS)).toBe('12345');
  });

  it('is FromUserName|CreateTime|Event for an event', () => {
    const event = { ToUserName: 'gh_a', FromUserName: 'oUser', CreateTime: '1700000000', MsgType: 'event', Event: 'subscribe' };
    expect(messageKey(event)).toBe('oUser|1700000000|subscribe');
    expect(messageKey({ ...event, MsgId: '' })).toBe('oUser|1700000000|subscribe');
  });

  it.each([
    ['no Event', { FromUserName: 'oUser', CreateTime: '1' }],
    ['an empty CreateTime', { FromUserName: 'oUser', CreateTime: '', Event: 'subscribe' }],
    ['a nested FromUserName', { FromUserName: { a: 'b' }, CreateTime: '1', Event: 'subscribe' }],
    ['a repeated MsgId', { MsgId: ['1', '2'] }],
    ['nothing', {}],
  ])('is undefined with %s', (_case, message) => {
    expect(messageKey(message)).toBeUndefined();
  });
});
