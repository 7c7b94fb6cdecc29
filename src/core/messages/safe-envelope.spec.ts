import { MessageCipher } from './message-cipher.js';
import { messageSignature } from './message-signature.js';
import { readMessageXml } from './message-xml.js';
import { encryptedReplyXml } from './safe-envelope.js';

// V3 of open-platform.md B13, copied exactly.
const V3 = {
  token: '123456',
  key: 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR',
  id: 'wx49f0ab532d5d035a',
  timestamp: '1411525903',
  nonce: '461056294',
  random: Buffer.from('1234567890123456'),
  reply:
    '<xml>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test]]></Content>\n<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>\n<ToUserName><![CDATA[messense]]></ToUserName>\n<AgentID>1</AgentID>\n<CreateTime>1411525903</CreateTime>\n</xml>',
  encrypt:
    '9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTzHrluLBYqxgNcBqGsL8GqxlhZgURnAtObvesEl5nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCFM2JTF5wY0nFhHZSjPUL2Q1qvSUCUld+/WIXrx0oyKQmpB6o8NRrrNrsDf03oxI1p9FxUgMnwKKZeOA/uu+2IEvEBtb7muXsVbwbgX05UPPJvFurDXafG0RQyPR+mf1nDnAtQmmNOuiR5MIkdQ39xn1vWwi1O5oazPoQJz0nTYjxxEE8kv3kFxtAGVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3',
  msgSignature: '407518b7649e86ef23978113f92d27afa9296533',
};

const cipher = new MessageCipher(V3.key, V3.id);

describe('encryptedReplyXml', () => {
  it("gives V3's Encrypt and MsgSignature in WeChat's envelope", () => {
    const xml = encryptedReplyXml(cipher, V3.token, V3.reply, { timestamp: V3.timestamp, nonce: V3.nonce, random: V3.random });
    expect(xml).toBe(
      `<xml><Encrypt><![CDATA[${V3.encrypt}]]></Encrypt><MsgSignature><![CDATA[${V3.msgSignature}]]></MsgSignature>` +
        `<TimeStamp>1411525903</TimeStamp><Nonce><![CDATA[461056294]]></Nonce></xml>`,
    );
  });

  it('with fresh random bytes, is signed over its own Encrypt and opens to the reply', () => {
    const xml = encryptedReplyXml(cipher, V3.token, '<xml><Content><![CDATA[hi]]></Content></xml>', {
      timestamp: '1700000000',
      nonce: 'n1',
    });
    const { Encrypt, MsgSignature, TimeStamp, Nonce } = readMessageXml(xml);
    expect(Encrypt).not.toBe(V3.encrypt);
    expect(MsgSignature).toBe(messageSignature(V3.token, '1700000000', 'n1', Encrypt as string));
    expect([TimeStamp, Nonce]).toEqual(['1700000000', 'n1']);
    expect(cipher.decrypt(Encrypt as string)).toBe('<xml><Content><![CDATA[hi]]></Content></xml>');
  });

  it('refuses a timestamp that is not digits', () => {
    expect(() => encryptedReplyXml(cipher, V3.token, '<xml/>', { timestamp: '1</TimeStamp>', nonce: 'n' })).toThrow('digits');
  });
});
