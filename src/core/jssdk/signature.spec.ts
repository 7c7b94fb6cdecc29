import { createHash } from 'node:crypto';
import { cardSignature, jsapiSignature, withoutFragment } from './signature.js';

const TICKET = 'sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg';
const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');

describe('jsapiSignature', () => {
  it("reproduces the official example of WeChat's JS-SDK documentation", () => {
    expect(
      jsapiSignature({
        ticket: TICKET,
        nonceStr: 'Wm3WZYTPz0wzccnW',
        timestamp: 1414587457,
        url: 'http://mp.weixin.qq.com?params=value',
      }),
    ).toBe('0f9de62fce790f9a083d5c99e95740ceb90c27ed');
  });

  it('reproduces the older revision of the example (url without query)', () => {
    expect(
      jsapiSignature({
        ticket: TICKET,
        nonceStr: 'Wm3WZYTPz0wzccnW',
        timestamp: 1414587457,
        url: 'http://mp.weixin.qq.com',
      }),
    ).toBe('f4d90daf4b3bca3078ab155816175ba34c443a7b');
  });

  it('signs the url raw: percent-encoding, unicode and a trailing ? are kept as given', () => {
    for (const url of [
      'https://h5.example.com/a%20b?x=%E4%BD%A0',
      'https://h5.example.com/你好?q=好',
      'https://h5.example.com/p?',
    ]) {
      const expected = sha1(`jsapi_ticket=T&noncestr=N&timestamp=1&url=${url}`);
      expect(jsapiSignature({ ticket: 'T', nonceStr: 'N', timestamp: 1, url })).toBe(expected);
    }
  });
});

describe('withoutFragment', () => {
  it.each([
    ['https://a.com/p?x=1#/route?y=2', 'https://a.com/p?x=1'],
    ['https://a.com/#', 'https://a.com/'],
    ['https://a.com/p', 'https://a.com/p'],
    ['https://a.com/p?q=%23#a#b', 'https://a.com/p?q=%23'],
  ])('%s -> %s', (input, output) => {
    expect(withoutFragment(input)).toBe(output);
  });
});

describe('cardSignature', () => {
  it('sorts the values as strings, skips empty ones and joins them without separator', () => {
    const values = ['ticketZ', 'wx123', '', 1510000000, 'nonceA', 'pDF3iY', undefined];
    expect(cardSignature(values)).toBe(sha1(['1510000000', 'nonceA', 'pDF3iY', 'ticketZ', 'wx123'].join('')));
  });

  it('does not depend on the order the values are given in', () => {
    expect(cardSignature(['b', 'a', 'c'])).toBe(cardSignature(['c', 'b', 'a']));
  });
});
