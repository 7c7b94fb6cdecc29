import { loggableUrl, redactUrl, redactUrlCredentials, SECRET_PARAMS } from './redact.js';

/** Every spelling of a name that reaches the route as that name. */
const spellings = (name: string) => [
  name,
  name.toUpperCase(),
  encodeURIComponent(name).replace(/./, (c) => `%${c.charCodeAt(0).toString(16)}`),
  `${name}+`,
];

describe('redactUrl', () => {
  it.each([...SECRET_PARAMS])('hides the value of %s in every spelling, and only that value', (name) => {
    for (const spelled of spellings(name)) {
      const url = `/p?keep=1&${spelled}=TOPSECRET-${name}&after=2#frag`;
      const redacted = redactUrl(url);
      expect(redacted).toBe(`/p?keep=1&${spelled}=***&after=2#frag`);
      expect(redacted).not.toContain('TOPSECRET');
    }
  });

  it('covers every credential the service or WeChat puts in a url', () => {
    for (const name of ['secret', 'access_token', 'refresh_token', 'ticket', 'jsapi_ticket', 'code', 'state', 'media_id'])
      expect(SECRET_PARAMS.has(name)).toBe(true);
  });

  it('leaves a url without secrets, or without a query, as it is', () => {
    expect(redactUrl('/wechat/jssdk/config')).toBe('/wechat/jssdk/config');
    expect(redactUrl('/x?url=https%3A%2F%2Fh5&debug=1')).toBe('/x?url=https%3A%2F%2Fh5&debug=1');
    expect(redactUrl('/x?%zz=1&code')).toBe('/x?%zz=1&code=***');
  });

  it('shows a route with path parameters as its pattern', () => {
    expect(loggableUrl('/wechat/media/MEDIAID?format=mp3&code=1', '/wechat/media/:mediaId')).toBe(
      '/wechat/media/:mediaId?format=mp3&code=***',
    );
    expect(loggableUrl('/health?ticket=T', '/health')).toBe('/health?ticket=***');
  });
});

describe('redactUrlCredentials', () => {
  it.each([
    ['redis://:pw@127.0.0.1:6379/0', 'redis://***@127.0.0.1:6379/0'],
    ['rediss://user:pw@h:1', 'rediss://***@h:1'],
    ['REDIS_URL (got "redis://u:p@[bad")', 'REDIS_URL (got "redis://***@[bad")'],
    ['http://egress:pw@10.0.0.9:3128 and https://a:b@c', 'http://***@10.0.0.9:3128 and https://***@c'],
    ['redis://127.0.0.1:6379', 'redis://127.0.0.1:6379'],
    ['https://h5.example.com/a@b', 'https://h5.example.com/a@b'],
  ])('%s', (text, expected) => {
    expect(redactUrlCredentials(text)).toBe(expected);
  });
});
