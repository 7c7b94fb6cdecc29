import { safeReturnTo, withQueryParam } from './return-to.js';

describe('safeReturnTo', () => {
  it.each([
    '/',
    '/orders',
    '/orders?id=1&x=%2F',
    '/a/b#frag',
    '/%E4%BD%A0%E5%A5%BD',
    '/path/with:colon',
    '/files/a..b/c.d',
    '/search?q=../..//x',
    '/page#/../..//x',
  ])('keeps the local path %s', (p) => {
    expect(safeReturnTo(p)).toBe(p);
  });

  it.each([
    'https://evil.com',
    'http://evil.com/path',
    '//evil.com',
    '//evil.com/path',
    '/\\evil.com',
    '\\\\evil.com',
    '/\\/evil.com',
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    'data:text/html,hi',
    'evil.com',
    'orders',
    '%2F%2Fevil.com',
    '/%2F%2Fevil.com',
    '/%2Fevil.com',
    '/%5Cevil.com',
    '/%255Cevil.com',
    '/%252F%252Fevil.com',
    '/\tevil',
    '/\nevil',
    '/%0A//evil.com',
    ' /x',
    '',
    '/%',
    'x'.repeat(3000),
    // dot segments: a browser resolves them, and some land on //host
    '/../..//evil.com',
    '/..//evil.com',
    '/./..//evil.com/x',
    '/a/../..//evil.com',
    '/%2e%2e//evil.com',
    '/%2E%2E/%2F/evil.com',
    '/%252e%252e//evil.com',
    '/a/./b',
    '/a/..',
  ])('falls back to / for %j', (p) => {
    expect(safeReturnTo(p)).toBe('/');
  });

  it('percent-encodes characters beyond ASCII so the Location header stays valid', () => {
    expect(safeReturnTo('/你好?q=é')).toBe('/%E4%BD%A0%E5%A5%BD?q=%C3%A9');
    expect(safeReturnTo('/／／evil.com')).toBe('/%EF%BC%8F%EF%BC%8Fevil.com');
    expect(safeReturnTo('/\ud800')).toBe('/');
  });

  it('falls back to / for non-strings', () => {
    expect(safeReturnTo(undefined)).toBe('/');
    expect(safeReturnTo(['/a', '/b'])).toBe('/');
  });
});

describe('withQueryParam', () => {
  it('appends with ? or & and keeps the fragment last', () => {
    expect(withQueryParam('/a', 'wechat_error', 'access_denied')).toBe('/a?wechat_error=access_denied');
    expect(withQueryParam('/a?x=1#top', 'wechat_error', 'access_denied')).toBe('/a?x=1&wechat_error=access_denied#top');
  });
});
