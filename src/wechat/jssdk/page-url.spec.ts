import { checkPageUrl, isHostAllowed, MAX_URL_LENGTH } from './page-url.js';

describe('checkPageUrl', () => {
  it('accepts absolute http(s) urls and strips only the fragment', () => {
    const r = checkPageUrl('https://H5.Example.com:8443/a%2Fb/?x=1&y=%E4%BD%A0#/spa', []);
    expect(r).toEqual({ ok: true, signable: 'https://H5.Example.com:8443/a%2Fb/?x=1&y=%E4%BD%A0', host: 'h5.example.com' });
  });

  it.each([
    [undefined], [null], [42], [''], ['/relative/path'], ['h5.example.com/page'], ['ftp://h5.example.com/'],
    ['javascript:alert(1)'], ['https://'], ['https:///path'], ['https://h5.example.com/a b'], ['https://h5.example.com/\t'],
    ['https://h5.example.com/\n'], ['https://h5.example.com/\u0000'], ['https://h5.example.com/\u00a0'],
    ['https://h5.example.com/\u2028'], ['http://[::1/'], ['x'.repeat(10)],
  ])('rejects %j as INVALID_URL', (input) => {
    const r = checkPageUrl(input, []);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.code).toBe('INVALID_URL');
  });

  it('rejects urls longer than the limit', () => {
    const url = `https://h5.example.com/?${'a'.repeat(MAX_URL_LENGTH)}`;
    expect(checkPageUrl(url, [])).toMatchObject({ ok: false, code: 'INVALID_URL' });
    expect(checkPageUrl(url.slice(0, MAX_URL_LENGTH), [])).toMatchObject({ ok: true });
  });

  it('answers DOMAIN_NOT_ALLOWED for hosts outside the list, user-info tricks included', () => {
    const allowed = ['h5.example.com'];
    expect(checkPageUrl('https://evil.com/', allowed)).toMatchObject({ ok: false, code: 'DOMAIN_NOT_ALLOWED' });
    expect(checkPageUrl('https://h5.example.com@evil.com/', allowed)).toMatchObject({ ok: false, code: 'DOMAIN_NOT_ALLOWED' });
    expect(checkPageUrl('https://h5.example.com.evil.com/', allowed)).toMatchObject({ ok: false, code: 'DOMAIN_NOT_ALLOWED' });
    expect(checkPageUrl('https://evil.com/#https://h5.example.com/', allowed)).toMatchObject({ ok: false });
    expect(checkPageUrl('https://H5.EXAMPLE.COM/x', allowed)).toMatchObject({ ok: true });
    expect(checkPageUrl('https://%2e.shop.example.com/', ['*.shop.example.com'])).toMatchObject({ ok: false, code: 'DOMAIN_NOT_ALLOWED' });
  });
});

describe('isHostAllowed', () => {
  it('allows everything when the list is empty', () => {
    expect(isHostAllowed('anything.test', [])).toBe(true);
  });
  it('matches exact hosts, and subdomains only through *.', () => {
    expect(isHostAllowed('a.example.com', ['example.com'])).toBe(false);
    expect(isHostAllowed('a.example.com', ['*.example.com'])).toBe(true);
    expect(isHostAllowed('example.com', ['*.example.com'])).toBe(false);
    expect(isHostAllowed('badexample.com', ['*.example.com'])).toBe(false);
    expect(isHostAllowed('a.b.example.com', ['*.example.com'])).toBe(true);
    for (const host of ['.example.com', '..example.com', '.0.example.com', 'a..example.com']) {
      expect(isHostAllowed(host, ['*.example.com'])).toBe(false);
    }
  });
});
