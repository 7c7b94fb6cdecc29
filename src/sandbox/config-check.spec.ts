import { configSignature, domainAdmits, signedPartOf } from './config-check.js';

describe("the sandbox's own judge of wx.config", () => {
  it("computes WeChat's published example signature", () => {
    expect(
      configSignature({
        ticket: 'sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg',
        nonceStr: 'Wm3WZYTPz0wzccnW',
        timestamp: 1414587457,
        url: 'http://mp.weixin.qq.com?params=value',
      }),
    ).toBe('0f9de62fce790f9a083d5c99e95740ceb90c27ed');
  });

  it('checks the page up to its #, byte for byte otherwise', () => {
    expect(signedPartOf('https://h5/a?b=1#/route#x')).toBe('https://h5/a?b=1');
    expect(signedPartOf('https://h5/a?b=%2F')).toBe('https://h5/a?b=%2F');
    const base = { ticket: 't', nonceStr: 'n', timestamp: 1 };
    expect(configSignature({ ...base, url: 'https://h5/a?b=%2F' })).not.toBe(
      configSignature({ ...base, url: 'https://h5/a?b=/' }),
    );
  });

  it.each([
    ['h5.example.com', ['h5.example.com'], true],
    ['H5.Example.com', ['h5.example.com'], true],
    ['a.h5.example.com', ['h5.example.com'], false],
    ['a.shop.example.com', ['*.shop.example.com'], true],
    ['a.b.shop.example.com', ['*.shop.example.com'], true],
    ['shop.example.com', ['*.shop.example.com'], false],
    ['.shop.example.com', ['*.shop.example.com'], false],
    ['a..shop.example.com', ['*.shop.example.com'], false],
    ['evilshop.example.com', ['*.shop.example.com'], false],
    ['anything.org', [], true],
  ])('%s under %j: %s', (host, domains, admitted) => {
    expect(domainAdmits(host, domains)).toBe(admitted);
  });
});
