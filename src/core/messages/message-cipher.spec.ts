import { createCipheriv } from 'node:crypto';
import { MessageCipher, decodeEncodingAesKey } from './message-cipher.js';
import { MessageCryptoError } from './message-errors.js';
import { messageSignature } from './message-signature.js';

// Known answers of open-platform.md B13, copied exactly.
const KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const APP_ID = 'wxb11529c136998cb6';
const V1_ENCRYPT =
  'rTNFcsut4LfGuAFKEUVVpwcaCOTJzOd9twZdIW910jb3k+iicx2uvhttIZ3Qg9Qgty3BEF2xbOrz6boTfb30dMomcgrkTqdFPwnhqbk+kIQ7rZiwny9D7NUrTgA5kpX3KsZvrXzUZyP2x9YOlxbgm572lmxKvM7HAQQhIQ/p6HBmoY30bGXFK0BtIu1pW9TjhOYrLQoU18nWYjWqDA1ynkmOytpv7QRI1P1+0NoxL0q2zO1DgeSvnE8CZGo/o5Ap/WHK5W2RAsinpzN4/LjPnmB6U01I5XCoJoC0GK/yMZycd2Oh8Nq6+wBkC1U85oy0ktOY4nLvsQMLrourmMGdZHuTbqpeJ8Ao/5PRYJ+WBvRUwPfGKBL2+2IKZF49vAJqkcGWSHGE76ZN2erXeuNazf/o9o3lIE3q739o4c8t9QGPe31GT2Go/rOz1BsrASwvauNulCh+++yz+CQzBIuikA==';
const V1_MESSAGE =
  '<xml><URL><![CDATA[http://wechat.laravel.so/server]]></URL><ToUserName><![CDATA[asdasdasd]]></ToUserName><FromUserName><![CDATA[asdasdasdsadasd]]></FromUserName><CreateTime>1234567898</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hello]]></Content><MsgId>12345</MsgId></xml>';

const V2 = {
  token: 'pamtest',
  timestamp: '1409304348',
  nonce: 'xxxxxx',
  random: Buffer.from('aaaabbbbccccdddd'),
  replyMsg: '我是中文abcd123',
  afterAesEncrypt: 'jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg==',
  signature: '82c962d39941aa48552f90ef55aa323dc620cc10',
  replyMsg2:
    '<xml><ToUserName><![CDATA[oia2Tj我是中文jewbmiOUlr6X-1crbLOvLw]]></ToUserName><FromUserName><![CDATA[gh_7f083739789a]]></FromUserName><CreateTime>1407743423</CreateTime><MsgType><![CDATA[video]]></MsgType><Video><MediaId><![CDATA[eYJ1MbwPRJtOvIEabaxHs7TX2D-HV71s79GUxqdUkjm6Gs2Ed1KF3ulAOA9H1xG0]]></MediaId><Title><![CDATA[testCallBackReplyVideo]]></Title><Description><![CDATA[testCallBackReplyVideo]]></Description></Video></xml>',
  afterAesEncrypt2:
    'jn1L23DB+6ELqJ+6bruv23M2GmYfkv0xBh2h+XTBOKVKcgDFHle6gqcZ1cZrk3e1qjPQ1F4RsLWzQRG9udbKWesxlkupqcEcW7ZQweImX9+wLMa0GaUzpkycA8+IamDBxn5loLgZpnS7fVAbExOkK5DYHBmv5tptA9tklE/fTIILHR8HLXa5nQvFb3tYPKAlHF3rtTeayNf0QuM+UW/wM9enGIDIJHF7CLHiDNAYxr+r+OrJCmPQyTy8cVWlu9iSvOHPT/77bZqJucQHQ04sq7KZI27OcqpQNSto2OdHCoTccjggX5Z9Mma0nMJBU+jLKJ38YB1fBIz+vBzsYjrTmFQ44YfeEuZ+xRTQwr92vhA9OxchWVINGC50qE/6lmkwWTwGX9wtQpsJKhP+oS7rvTY8+VdzETdfakjkwQ5/Xka042OlUb1/slTwo4RscuQ+RdxSGvDahxAJ6+EAjLt9d8igHngxIbf6YyqqROxuxqIeIch3CssH/LqRs+iAcILvApYZckqmA7FNERspKA5f8GoJ9sv8xmGvZ9Yrf57cExWtnX8aCMMaBropU/1k+hKP5LVdzbWCG0hGwx/dQudYR/eXp3P0XxjlFiy+9DMlaFExWUZQDajPkdPrEeOwofJb',
  signature2: 'ea88b765074e41eb8c7a75b449db34fa2fd560d5',
};

const V3 = {
  token: '123456',
  key: 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR',
  id: 'wx49f0ab532d5d035a',
  echoStr: '4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q==',
  timestamp: '1411525903',
  nonce: '461056294',
  random: Buffer.from('1234567890123456'),
  reply:
    '<xml>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test]]></Content>\n<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>\n<ToUserName><![CDATA[messense]]></ToUserName>\n<AgentID>1</AgentID>\n<CreateTime>1411525903</CreateTime>\n</xml>',
  encrypt:
    '9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTzHrluLBYqxgNcBqGsL8GqxlhZgURnAtObvesEl5nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCFM2JTF5wY0nFhHZSjPUL2Q1qvSUCUld+/WIXrx0oyKQmpB6o8NRrrNrsDf03oxI1p9FxUgMnwKKZeOA/uu+2IEvEBtb7muXsVbwbgX05UPPJvFurDXafG0RQyPR+mf1nDnAtQmmNOuiR5MIkdQ39xn1vWwi1O5oazPoQJz0nTYjxxEE8kv3kFxtAGVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3',
  msgSignature: '407518b7649e86ef23978113f92d27afa9296533',
};

const V5 = {
  plaintext: '<xml><ComponentVerifyTicket><![CDATA[ticket@@@AAAAAAAAAAA]]></ComponentVerifyTicket></xml>',
  encrypt:
    'jn1L23DB+6ELqJ+6bruv2ypSS2El5JMJslqlsg0ibCoHkGKOgc20p0TLFIUK8pt16QOSfQPDuQk5uVEU84/iONfQWpxTl+TTMbxzKsSEHBaaX1cTU9sSY5r+kve5bPzMMYJNtRUWzLiqvOJZ2txdRge8gQ8BtC14q6RY5N8NQCG9fPvldEdQRiX6qF+wMPQvPxpdWAg2ZHnsWmNRFPS62g==',
  msgSignature: 'd3890a40f26bbc0cc5cb0af3e8ab3a16f798bb08',
};

const cipher = new MessageCipher(KEY, APP_ID);

/** AES-256-CBC of raw bytes (already a multiple of 16) with the V1 key: builds broken plaintexts. */
function rawEncrypt(plain: Buffer): string {
  const key = decodeEncodingAesKey(KEY);
  const aes = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([aes.update(plain), aes.final()]).toString('base64');
}

/** random ‖ length ‖ message ‖ appId, padded with `padByte` repeated `padCount` times. */
function plainWith(length: number, message: string, appId: string, padByte: number, padCount: number): Buffer {
  const head = Buffer.alloc(20, 0x61);
  head.writeUInt32BE(length, 16);
  return Buffer.concat([head, Buffer.from(message), Buffer.from(appId), Buffer.alloc(padCount, padByte)]);
}

function decryptError(encrypt: string, using = cipher): string {
  try {
    using.decrypt(encrypt);
  } catch (error) {
    expect(error).toBeInstanceOf(MessageCryptoError);
    expect((error as MessageCryptoError).statusCode).toBe(400);
    expect((error as MessageCryptoError).code).toBe('MESSAGE_DECRYPT_FAILED');
    return (error as Error).message;
  }
  throw new Error('decrypt did not throw');
}

describe('decodeEncodingAesKey', () => {
  it('decodes the 43 characters leniently: the spare bits of the last one are ignored', () => {
    const key = decodeEncodingAesKey(KEY);
    expect(key).toHaveLength(32);
    expect(key.subarray(0, 3)).toEqual(Buffer.from([0x69, 0xb7, 0x1d]));
  });

  it.each([
    ['too short', KEY.slice(0, 42)],
    ['too long', `${KEY}A`],
    ['padded', `${KEY.slice(0, 42)}=`],
    ['url-safe base64', `${KEY.slice(0, 42)}-`],
    ['with a space', ` ${KEY.slice(1)}`],
  ])('refuses a key %s', (_case, key) => {
    expect(() => decodeEncodingAesKey(key)).toThrow('the EncodingAESKey must be 43 characters');
    expect(() => new MessageCipher(key, APP_ID)).toThrow(Error);
  });
});

describe('MessageCipher.decrypt against the known answers', () => {
  it('opens V1 and gives the whole message', () => {
    expect(cipher.decrypt(V1_ENCRYPT)).toBe(V1_MESSAGE);
  });

  it('refuses V1 for another appId without printing the message or the key', () => {
    const message = decryptError(V1_ENCRYPT, new MessageCipher(KEY, 'invalid appid'));
    expect(message).toBe('the message was encrypted for another appId');
    expect(message).not.toContain('hello');
    expect(decryptError(V1_ENCRYPT, new MessageCipher(KEY, `${APP_ID}x`))).toBe('the message was encrypted for another appId');
  });

  it("opens V3's echo_str (pad 7) to 5927782489442352469 for id wx49f0ab532d5d035a", () => {
    expect(new MessageCipher(V3.key, V3.id).decrypt(V3.echoStr)).toBe('5927782489442352469');
  });

  it('opens V2 and V3 back to their messages', () => {
    expect(cipher.decrypt(V2.afterAesEncrypt)).toBe(V2.replyMsg);
    expect(cipher.decrypt(V2.afterAesEncrypt2)).toBe(V2.replyMsg2);
    expect(new MessageCipher(V3.key, V3.id).decrypt(V3.encrypt)).toBe(V3.reply);
  });

  it('opens V5, whose padding is a whole block of 32 × 0x20', () => {
    expect(Buffer.from(V5.encrypt, 'base64')).toHaveLength(160);
    expect(cipher.decrypt(V5.encrypt)).toBe(V5.plaintext);
  });
});

describe('MessageCipher.encrypt against the known answers', () => {
  it('gives V2 afterAesEncrypt and afterAesEncrypt2 with random aaaabbbbccccdddd, and their msg_signatures', () => {
    const encrypt = cipher.encrypt(V2.replyMsg, V2.random);
    const encrypt2 = cipher.encrypt(V2.replyMsg2, V2.random);
    expect(encrypt).toBe(V2.afterAesEncrypt);
    expect(encrypt2).toBe(V2.afterAesEncrypt2);
    expect(messageSignature(V2.token, V2.timestamp, V2.nonce, encrypt)).toBe(V2.signature);
    expect(messageSignature(V2.token, V2.timestamp, V2.nonce, encrypt2)).toBe(V2.signature2);
  });

  it('gives V3 Encrypt and MsgSignature 407518b7... with random 1234567890123456', () => {
    const encrypt = new MessageCipher(V3.key, V3.id).encrypt(V3.reply, V3.random);
    expect(encrypt).toBe(V3.encrypt);
    expect(messageSignature(V3.token, V3.timestamp, V3.nonce, encrypt)).toBe(V3.msgSignature);
  });

  it('pads an aligned plaintext with a whole block of 32 × 0x20 (V5)', () => {
    const encrypt = cipher.encrypt(V5.plaintext, V2.random);
    expect(encrypt).toBe(V5.encrypt);
    expect(messageSignature(V2.token, V2.timestamp, V2.nonce, encrypt)).toBe(V5.msgSignature);
  });

  it('uses 16 fresh random bytes by default, and refuses a random prefix of another size', () => {
    const first = cipher.encrypt('same');
    expect(cipher.encrypt('same')).not.toBe(first);
    expect(cipher.decrypt(first)).toBe('same');
    expect(() => cipher.encrypt('same', Buffer.alloc(15))).toThrow('16 bytes');
  });

  it('round-trips an empty message and one of many blocks', () => {
    expect(cipher.decrypt(cipher.encrypt(''))).toBe('');
    const long = '中文'.repeat(1000);
    expect(cipher.decrypt(cipher.encrypt(long))).toBe(long);
  });
});

describe('MessageCipher.decrypt accepts', () => {
  it('a padding of one byte', () => {
    // 20 header bytes + 25 + the 18-byte appId = 63: one byte of padding makes 64
    const message = 'x'.repeat(25);
    expect(cipher.decrypt(rawEncrypt(plainWith(25, message, APP_ID, 1, 1)))).toBe(message);
  });
});

describe('MessageCipher.decrypt refuses', () => {
  it('a tampered ciphertext', () => {
    const bytes = Buffer.from(V1_ENCRYPT, 'base64');
    bytes[bytes.length - 20] ^= 0x01;
    expect(() => cipher.decrypt(bytes.toString('base64'))).toThrow(MessageCryptoError);
  });

  it.each([
    ['not base64', '!!!!'],
    ['base64 with a space', V2.afterAesEncrypt.replace('+', ' ')],
    ['base64 of a wrong length', V2.afterAesEncrypt.slice(0, -1)],
    ['url-safe base64', V2.afterAesEncrypt.replaceAll('+', '-')],
  ])('%s', (_case, encrypt) => {
    expect(decryptError(encrypt)).toBe('the Encrypt is not base64');
  });

  it.each([
    ['empty', ''],
    ['not a multiple of 16 bytes', Buffer.alloc(40).toString('base64')],
  ])('a ciphertext %s', (_case, encrypt) => {
    expect(decryptError(encrypt)).toBe('the ciphertext is not a non-empty multiple of 16 bytes');
  });

  it.each([
    ['0', plainWith(2, 'hi', APP_ID, 0, 24)],
    ['33', Buffer.concat([plainWith(2, 'hi', APP_ID, 33, 24), Buffer.alloc(32, 33)])],
    ['5 over bytes that are not all 5', Buffer.concat([plainWith(2, 'hi', APP_ID, 5, 20), Buffer.from([4, 5, 5, 5])])],
  ])('a padding byte of %s', (_case, plain) => {
    expect(decryptError(rawEncrypt(plain))).toBe('the message padding is invalid');
  });

  it('a block of padding only: unpadded, it is then shorter than the header', () => {
    expect(decryptError(rawEncrypt(Buffer.alloc(32, 32)))).toBe('the message is shorter than its header');
  });

  it('a padding longer than the only block', () => {
    expect(decryptError(rawEncrypt(Buffer.alloc(16, 20)))).toBe('the message padding is invalid');
  });

  it('a message shorter than its random prefix and length', () => {
    expect(decryptError(rawEncrypt(Buffer.concat([Buffer.alloc(16, 1), Buffer.alloc(16, 16)])))).toBe(
      'the message is shorter than its header',
    );
  });

  it('a length that overflows the message', () => {
    expect(decryptError(rawEncrypt(plainWith(25, 'hi', APP_ID, 24, 24)))).toBe('the message length does not fit');
    expect(decryptError(rawEncrypt(plainWith(0xffffffff, 'hi', APP_ID, 24, 24)))).toBe('the message length does not fit');
  });

  it('a message of exactly its header, or a length that takes the appId in: no appId is left', () => {
    expect(decryptError(rawEncrypt(plainWith(0, '', '', 12, 12)))).toBe('the message was encrypted for another appId');
    const whole = 'hi'.length + APP_ID.length;
    expect(decryptError(rawEncrypt(plainWith(whole, 'hi', APP_ID, 24, 24)))).toBe('the message was encrypted for another appId');
  });

  it('a length that leaves a different appId behind', () => {
    expect(decryptError(rawEncrypt(plainWith(1, 'hi', APP_ID, 24, 24)))).toBe('the message was encrypted for another appId');
  });

  it('a message that is not UTF-8', () => {
    const plain = Buffer.concat([plainWith(2, '', APP_ID, 0, 0), Buffer.alloc(0)]);
    const bad = Buffer.concat([plain.subarray(0, 20), Buffer.from([0xff, 0xfe]), Buffer.from(APP_ID), Buffer.alloc(24, 24)]);
    expect(decryptError(rawEncrypt(bad))).toBe('the message is not UTF-8');
  });

  it('a message encrypted with another key', () => {
    const other = new MessageCipher(V3.key, APP_ID);
    expect(() => other.decrypt(V1_ENCRYPT)).toThrow(MessageCryptoError);
  });
});
