import Fastify from 'fastify';
import { configSignature } from './config-check.js';
import { Sandbox } from './sandbox.js';
import { sandboxPlugin } from './sandbox.plugin.js';

const A = { appId: 'wxjweixin000001', appSecret: 'jweixin-secret-0123', jsDomains: ['h5.example.com', '*.shop.example.com'] };

describe('the simulated wx.config check (POST /__jssdk/verify)', () => {
  const sandbox = new Sandbox({ accounts: [A] });
  const app = Fastify();
  beforeAll(async () => {
    await app.register(sandboxPlugin, { sandbox });
    // a ticket exists once the account asked for one, as in WeChat
    const token = (
      await app.inject({
        method: 'GET',
        url: `/cgi-bin/token?grant_type=client_credential&appid=${A.appId}&secret=${A.appSecret}`,
      })
    ).json();
    await app.inject({ method: 'GET', url: `/cgi-bin/ticket/getticket?access_token=${token.access_token}&type=jsapi` });
  });
  afterAll(() => app.close());

  const verify = async (url: string, changes: Record<string, unknown> = {}, signedUrl = url.split('#')[0]!) => {
    const ticket = sandbox.currentTicket(A.appId, 'jsapi')!;
    const body = { appId: A.appId, timestamp: 1_800_000_000, nonceStr: 'n0nce', url, ...changes };
    const signature = configSignature({ ticket, nonceStr: 'n0nce', timestamp: 1_800_000_000, url: signedUrl });
    const answer = await app.inject({
      method: 'POST',
      url: '/__jssdk/verify',
      headers: { 'content-type': 'text/plain' },
      payload: JSON.stringify({ signature, ...body }),
    });
    expect(answer.headers['access-control-allow-origin']).toBe('*');
    return answer.json().errMsg as string;
  };

  it('answers config:ok for the right signature of the url without its fragment', async () => {
    expect(await verify('https://h5.example.com/a?b=1#frag')).toBe('config:ok');
    expect(await verify('https://x.shop.example.com/')).toBe('config:ok');
  });

  it("answers WeChat's errMsg for a wrong signature, another domain, an unknown account", async () => {
    expect(await verify('https://h5.example.com/a', {}, 'https://h5.example.com/b')).toBe('config:invalid signature');
    expect(await verify('https://h5.example.com/a#f', {}, 'https://h5.example.com/a#f')).toBe('config:invalid signature');
    expect(await verify('https://evil.example.net/a')).toBe('config:invalid url domain');
    expect(await verify('https://shop.example.com/a')).toBe('config:invalid url domain');
    expect(await verify('https://h5.example.com/a', { appId: 'wxnobody' })).toBe('config:invalid appId');
    expect(await verify('https://h5.example.com/a', { timestamp: '1800000000' })).toBe('config:invalid signature');
  });
});
