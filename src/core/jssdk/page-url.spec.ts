import fc from 'fast-check';
import { checkPageUrl, isHostAllowed, MAX_URL_LENGTH } from './page-url.js';

describe('checkPageUrl', () => {
  it('accepts absolute http(s) urls and strips only the fragment', () => {
    const r = checkPageUrl('https://H5.Example.com:8443/a%2Fb/?x=1&y=%E4%BD%A0#/spa', []);
    expect(r).toEqual({ ok: true, signable: 'https://H5.Example.com:8443/a%2Fb/?x=1&y=%E4%BD%A0', host: 'h5.example.com' });
  });

  it.each([
    [undefined],
    [null],
    [42],
    [''],
    ['/relative/path'],
    ['h5.example.com/page'],
    ['ftp://h5.example.com/'],
    ['javascript:alert(1)'],
    ['https://'],
    ['https:///path'],
    ['https://h5.example.com/a b'],
    ['https://h5.example.com/\t'],
    ['https://h5.example.com/\n'],
    ['https://h5.example.com/\u0000'],
    ['https://h5.example.com/\u00a0'],
    ['https://h5.example.com/\u2028'],
    ['http://[::1/'],
    ['x'.repeat(10)],
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
    expect(checkPageUrl('https://%2e.shop.example.com/', ['*.shop.example.com'])).toMatchObject({
      ok: false,
      code: 'DOMAIN_NOT_ALLOWED',
    });
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

describe('checkPageUrl remembers host verdicts by scheme and authority', () => {
  // The plain reading, parsing every url on its own: the remembered verdicts must never differ from it.
  function reference(raw: string, allowed: readonly string[]) {
    let host: string;
    try {
      host = new URL(raw).hostname.toLowerCase();
    } catch {
      return 'INVALID_URL';
    }
    if (!host) return 'INVALID_URL';
    return isHostAllowed(host, allowed) ? `ok ${host}` : 'DOMAIN_NOT_ALLOWED';
  }
  const verdictOf = (r: ReturnType<typeof checkPageUrl>) => (r.ok ? `ok ${r.host}` : r.code);

  it('gives the verdict a fresh parse gives, over thousands of look-alike urls sharing keys', () => {
    const allowed = ['h5.example.com', '*.shop.example.com'];
    const piece = fc.constantFrom(
      'h5.example.com',
      'evil.com',
      'm.shop.example.com',
      'shop.example.com',
      '@',
      ':',
      ':443',
      ':99999',
      '%2e',
      '.',
      '\\',
      '/',
      '[::1]',
      'xn--fsq',
      '例子',
      'H5.EXAMPLE.COM',
      'a',
      '',
      '%',
      '%41',
      '?',
      '#',
    );
    const url = fc
      .tuple(
        fc.constantFrom('http://', 'https://', 'HTTPS://'),
        fc.array(piece, { maxLength: 5 }),
        fc.array(piece, { maxLength: 3 }),
      )
      .map(([scheme, authority, rest]) => `${scheme}${authority.join('')}${rest.join('')}`);
    fc.assert(
      fc.property(url, (raw) => {
        const r = checkPageUrl(raw, allowed);
        if (!r.ok && r.message.startsWith('url must be')) return; // not http(s)://x at all: never reaches the host
        expect(verdictOf(r)).toBe(reference(raw, allowed));
      }),
      { numRuns: 20_000 },
    );
  });

  it('reads a backslash right after // like WHATWG does (the host starts after it), never from a shared key', () => {
    const allowed = ['h5.example.com'];
    expect(checkPageUrl('https://\\h5.example.com/', allowed)).toMatchObject({ ok: true, host: 'h5.example.com' });
    expect(checkPageUrl('https://\\evil.com/', allowed)).toMatchObject({ ok: false, code: 'DOMAIN_NOT_ALLOWED' });
    expect(checkPageUrl('https://h5.example.com\\@evil.com/', allowed)).toMatchObject({ ok: true, host: 'h5.example.com' });
  });
});
