import { proxySettings } from './egress-proxy.js';

const NOT_A_URL = 'httpProxy must be a url such as http://egress.internal:3128';
const MORE_THAN_A_PROXY = 'httpProxy must be http(s)://[user:password@]host:port, nothing more';

describe('proxySettings', () => {
  it('takes an http proxy: protocol without its colon, host and port, no credentials', () => {
    expect(proxySettings('http://egress.internal:3128')).toEqual({
      protocol: 'http',
      host: 'egress.internal',
      port: 3128,
      auth: undefined,
    });
  });

  it('gives a proxy without a port the default port of its protocol', () => {
    expect(proxySettings('http://egress.internal')).toMatchObject({ protocol: 'http', port: 80 });
    expect(proxySettings('https://egress.internal')).toMatchObject({ protocol: 'https', port: 443 });
    // a port written out is the port, also when it is the other protocol's default
    expect(proxySettings('http://egress.internal:443').port).toBe(443);
    expect(proxySettings('https://egress.internal:80').port).toBe(80);
    expect(proxySettings('https://egress.internal:8443').port).toBe(8443);
  });

  it('decodes the user and password; a user without a password has an empty one', () => {
    expect(proxySettings('https://a%40b:p%3Ass@10.0.0.9:3128').auth).toEqual({ username: 'a@b', password: 'p:ss' });
    expect(proxySettings('http://user@10.0.0.9:3128').auth).toEqual({ username: 'user', password: '' });
  });

  it('gives an IPv6 host without its brackets', () => {
    expect(proxySettings('http://[::1]:8080/').host).toBe('::1');
    expect(proxySettings('http://[fd00::9]:3128').host).toBe('fd00::9');
  });

  it('allows a bare trailing slash and an empty query, nothing else after the port', () => {
    expect(proxySettings('http://egress.internal:3128/').host).toBe('egress.internal');
    expect(proxySettings('http://egress.internal:3128?').host).toBe('egress.internal');
    expect(proxySettings('http://egress.internal:3128#').host).toBe('egress.internal');
    for (const raw of [
      'http://egress.internal:3128/path',
      'http://egress.internal:3128//',
      'http://egress.internal:3128?x=1',
      'http://egress.internal:3128#frag',
      'http://egress.internal:3128/?x=1',
    ]) {
      expect(() => proxySettings(raw)).toThrow(MORE_THAN_A_PROXY);
    }
  });

  it('refuses any protocol but http and https', () => {
    for (const raw of [
      'socks5://egress:1080',
      'ftp://egress:21',
      'git+http://egress:3128',
      'httpx://egress:3128',
      'ws://egress:80',
    ]) {
      expect(() => proxySettings(raw)).toThrow(MORE_THAN_A_PROXY);
    }
  });

  it('refuses what is no url at all, never repeating it (it may hold a password)', () => {
    const messageOf = (raw: string) => {
      try {
        proxySettings(raw);
      } catch (error) {
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect(messageOf('not a url pw-secret')).toBe(NOT_A_URL);
    expect(messageOf('')).toBe(NOT_A_URL);
    // a host:port without a scheme reads as a url of scheme "egress.internal:", which is no proxy
    expect(messageOf('egress.internal:3128')).toBe(MORE_THAN_A_PROXY);
    expect(messageOf('http://u:pw-secret@egress:3128/path')).toBe(MORE_THAN_A_PROXY);
  });
});
