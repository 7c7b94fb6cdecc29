import { randomBytes } from 'node:crypto';
import {
  decryptMessage,
  encryptMessage,
  messageAesKey,
  SandboxCryptoError,
  msgSignature,
  signaturesEqual,
  pushUrlSignature,
} from './message-crypto.js';
import { openEncrypt, sha1Sorted } from './message-service.spec.helper.js';

// known-answer vectors of /work/shared/protocol/open-platform.md B13 (values from public SDK test suites)
const KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const APP_ID = 'wxb11529c136998cb6';
const TOKEN = 'pamtest';

const V1 = {
  encrypt:
    'rTNFcsut4LfGuAFKEUVVpwcaCOTJzOd9twZdIW910jb3k+iicx2uvhttIZ3Qg9Qgty3BEF2xbOrz6boTfb30dMomcgrkTqdFPwnhqbk+kIQ7rZiwny9D7NUrTgA5kpX3KsZvrXzUZyP2x9YOlxbgm572lmxKvM7HAQQhIQ/p6HBmoY30bGXFK0BtIu1pW9TjhOYrLQoU18nWYjWqDA1ynkmOytpv7QRI1P1+0NoxL0q2zO1DgeSvnE8CZGo/o5Ap/WHK5W2RAsinpzN4/LjPnmB6U01I5XCoJoC0GK/yMZycd2Oh8Nq6+wBkC1U85oy0ktOY4nLvsQMLrourmMGdZHuTbqpeJ8Ao/5PRYJ+WBvRUwPfGKBL2+2IKZF49vAJqkcGWSHGE76ZN2erXeuNazf/o9o3lIE3q739o4c8t9QGPe31GT2Go/rOz1BsrASwvauNulCh+++yz+CQzBIuikA==',
  msgSignature: '4f3ad57b6989f09f4eb392acce4f9e93942ed890',
  nonce: '260774613',
  timestamp: '1458300676',
  xml: '<xml><URL><![CDATA[http://wechat.laravel.so/server]]></URL><ToUserName><![CDATA[asdasdasd]]></ToUserName><FromUserName><![CDATA[asdasdasdsadasd]]></FromUserName><CreateTime>1234567898</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hello]]></Content><MsgId>12345</MsgId></xml>',
};

const V2 = {
  random: 'aaaabbbbccccdddd',
  timestamp: '1409304348',
  nonce: 'xxxxxx',
  reply: '我是中文abcd123',
  encrypted: 'jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg==',
  signature: '82c962d39941aa48552f90ef55aa323dc620cc10',
  reply2:
    '<xml><ToUserName><![CDATA[oia2Tj我是中文jewbmiOUlr6X-1crbLOvLw]]></ToUserName><FromUserName><![CDATA[gh_7f083739789a]]></FromUserName><CreateTime>1407743423</CreateTime><MsgType><![CDATA[video]]></MsgType><Video><MediaId><![CDATA[eYJ1MbwPRJtOvIEabaxHs7TX2D-HV71s79GUxqdUkjm6Gs2Ed1KF3ulAOA9H1xG0]]></MediaId><Title><![CDATA[testCallBackReplyVideo]]></Title><Description><![CDATA[testCallBackReplyVideo]]></Description></Video></xml>',
  encrypted2:
    'jn1L23DB+6ELqJ+6bruv23M2GmYfkv0xBh2h+XTBOKVKcgDFHle6gqcZ1cZrk3e1qjPQ1F4RsLWzQRG9udbKWesxlkupqcEcW7ZQweImX9+wLMa0GaUzpkycA8+IamDBxn5loLgZpnS7fVAbExOkK5DYHBmv5tptA9tklE/fTIILHR8HLXa5nQvFb3tYPKAlHF3rtTeayNf0QuM+UW/wM9enGIDIJHF7CLHiDNAYxr+r+OrJCmPQyTy8cVWlu9iSvOHPT/77bZqJucQHQ04sq7KZI27OcqpQNSto2OdHCoTccjggX5Z9Mma0nMJBU+jLKJ38YB1fBIz+vBzsYjrTmFQ44YfeEuZ+xRTQwr92vhA9OxchWVINGC50qE/6lmkwWTwGX9wtQpsJKhP+oS7rvTY8+VdzETdfakjkwQ5/Xka042OlUb1/slTwo4RscuQ+RdxSGvDahxAJ6+EAjLt9d8igHngxIbf6YyqqROxuxqIeIch3CssH/LqRs+iAcILvApYZckqmA7FNERspKA5f8GoJ9sv8xmGvZ9Yrf57cExWtnX8aCMMaBropU/1k+hKP5LVdzbWCG0hGwx/dQudYR/eXp3P0XxjlFiy+9DMlaFExWUZQDajPkdPrEeOwofJb',
  signature2: 'ea88b765074e41eb8c7a75b449db34fa2fd560d5',
};

/** V3: WeCom's sample (same algorithm, the trailing id is a corp id). */
const V3 = {
  token: '123456',
  key: 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR',
  id: 'wx49f0ab532d5d035a',
  random: '1234567890123456',
  timestamp: '1411525903',
  nonce: '461056294',
  reply:
    '<xml>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test]]></Content>\n<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>\n<ToUserName><![CDATA[messense]]></ToUserName>\n<AgentID>1</AgentID>\n<CreateTime>1411525903</CreateTime>\n</xml>',
  encrypted:
    '9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTzHrluLBYqxgNcBqGsL8GqxlhZgURnAtObvesEl5nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCFM2JTF5wY0nFhHZSjPUL2Q1qvSUCUld+/WIXrx0oyKQmpB6o8NRrrNrsDf03oxI1p9FxUgMnwKKZeOA/uu+2IEvEBtb7muXsVbwbgX05UPPJvFurDXafG0RQyPR+mf1nDnAtQmmNOuiR5MIkdQ39xn1vWwi1O5oazPoQJz0nTYjxxEE8kv3kFxtAGVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3',
  signature: '407518b7649e86ef23978113f92d27afa9296533',
  echo: { signature: 'dd6b9c95b495b3f7e2901bfbc76c664930ffdb96', timestamp: '1411443780', nonce: '437374425' },
  echostr: '4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q==',
};

/** V5: a plaintext already a multiple of 32 bytes gets a whole block of padding. */
const V5 = {
  xml: '<xml><ComponentVerifyTicket><![CDATA[ticket@@@AAAAAAAAAAA]]></ComponentVerifyTicket></xml>',
  encrypted:
    'jn1L23DB+6ELqJ+6bruv2ypSS2El5JMJslqlsg0ibCoHkGKOgc20p0TLFIUK8pt16QOSfQPDuQk5uVEU84/iONfQWpxTl+TTMbxzKsSEHBaaX1cTU9sSY5r+kve5bPzMMYJNtRUWzLiqvOJZ2txdRge8gQ8BtC14q6RY5N8NQCG9fPvldEdQRiX6qF+wMPQvPxpdWAg2ZHnsWmNRFPS62g==',
  signature: 'd3890a40f26bbc0cc5cb0af3e8ab3a16f798bb08',
};

describe('sandbox message crypto: known answers (B13)', () => {
  it('V1: the Encrypt decrypts to the given XML for the given appId, and its msg_signature matches', () => {
    expect(decryptMessage(V1.encrypt, KEY)).toEqual({ message: V1.xml, appId: APP_ID });
    expect(msgSignature(TOKEN, V1.timestamp, V1.nonce, V1.encrypt)).toBe(V1.msgSignature);
  });

  it('V2: encrypting with the random aaaabbbbccccdddd gives exactly afterAesEncrypt (and the derived signatures)', () => {
    expect(encryptMessage(V2.reply, KEY, APP_ID, V2.random)).toBe(V2.encrypted);
    expect(encryptMessage(V2.reply2, KEY, APP_ID, V2.random)).toBe(V2.encrypted2);
    expect(msgSignature(TOKEN, V2.timestamp, V2.nonce, V2.encrypted)).toBe(V2.signature);
    expect(msgSignature(TOKEN, V2.timestamp, V2.nonce, V2.encrypted2)).toBe(V2.signature2);
    expect(decryptMessage(V2.encrypted2, KEY)).toEqual({ message: V2.reply2, appId: APP_ID });
  });

  it('V3: WeCom’s sample encrypts and signs alike; its url check uses the same signature', () => {
    expect(encryptMessage(V3.reply, V3.key, V3.id, V3.random)).toBe(V3.encrypted);
    expect(msgSignature(V3.token, V3.timestamp, V3.nonce, V3.encrypted)).toBe(V3.signature);
    expect(msgSignature(V3.token, V3.echo.timestamp, V3.echo.nonce, V3.echostr)).toBe(V3.echo.signature);
    expect(msgSignature(V3.token, V3.echo.timestamp, '437374424', V3.echostr)).not.toBe(V3.echo.signature);
    expect(decryptMessage(V3.echostr, V3.key)).toEqual({ message: '5927782489442352469', appId: V3.id });
  });

  it('V4/V5: the url signature, and a full 32-byte block of padding when the plaintext is aligned', () => {
    expect(pushUrlSignature(TOKEN, '1413192605', '1234567890')).toBe('17a2f1dcd2c5ad8960c5d5d175691ef136e55853');
    expect(encryptMessage(V5.xml, KEY, APP_ID, V2.random)).toBe(V5.encrypted);
    expect(Buffer.from(V5.encrypted, 'base64')).toHaveLength(160);
    expect(msgSignature(TOKEN, V2.timestamp, V2.nonce, V5.encrypted)).toBe(V5.signature);
    expect(decryptMessage(V5.encrypted, KEY)).toEqual({ message: V5.xml, appId: APP_ID });
  });
});

describe('sandbox message crypto: round trips and refusals', () => {
  it('round-trips any text with random prefixes; the helper written apart opens it too', () => {
    for (const message of ['', 'a', '<xml>中文 🐼 ]]></xml>', 'x'.repeat(31), 'y'.repeat(32), 'z'.repeat(5000)]) {
      const a = encryptMessage(message, KEY, APP_ID);
      const b = encryptMessage(message, KEY, APP_ID);
      expect(a).not.toBe(b);
      expect(decryptMessage(a, KEY)).toEqual({ message, appId: APP_ID });
      expect(openEncrypt(a, KEY)).toEqual({ xml: message, id: APP_ID });
      expect(Buffer.from(a, 'base64').length % 32).toBe(0);
    }
  });

  it('signatures are sha1 over the sorted parts, as an independent computation gives', () => {
    expect(pushUrlSignature('tok', '1700000000', '42')).toBe(sha1Sorted(['tok', '1700000000', '42']));
    expect(msgSignature('tok', '1700000000', '42', 'QUJD')).toBe(sha1Sorted(['QUJD', '42', 'tok', '1700000000']));
    expect(signaturesEqual('abc', 'abc')).toBe(true);
    expect(signaturesEqual('abc', 'abd')).toBe(false);
    expect(signaturesEqual('abc', 'ab')).toBe(false);
  });

  it('refuses malformed keys, ciphertexts and paddings', () => {
    expect(() => messageAesKey('short')).toThrow(SandboxCryptoError);
    expect(messageAesKey(KEY)).toHaveLength(32);
    expect(() => encryptMessage('x', KEY, APP_ID, 'too short')).toThrow(/16 bytes/);
    expect(() => decryptMessage('', KEY)).toThrow(/blocks/);
    expect(() => decryptMessage(Buffer.from('abc').toString('base64'), KEY)).toThrow(/blocks/);
    // another key: the padding or the length check fails (a random length fits with odds of ~1e-8), never garbage
    const other = 'A'.repeat(42) + 'B';
    for (let i = 0; i < 20; i++) {
      expect(() => decryptMessage(encryptMessage('hello', KEY, APP_ID), other)).toThrow(SandboxCryptoError);
    }
    expect(() => decryptMessage(randomBytes(48).toString('base64'), KEY)).toThrow(SandboxCryptoError);
  });
});
