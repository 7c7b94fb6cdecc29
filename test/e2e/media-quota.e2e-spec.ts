import { PLATFORMS } from '../support/app.js';
import { loggedInClient, type MediaWorld, startMediaWorld } from '../support/media-client.js';

const ACCOUNT = { appId: 'wx7171efef8282abab', appSecret: 'quota-e2e-secret-0123456789' };
const MEDIA_GET = 'cgi-bin/media/get';

describe.each(PLATFORMS)('MEDIA_MAX_PER_USER across two instances (real Redis, sandbox), on %s', (platform) => {
  let world: MediaWorld;
  beforeAll(async () => {
    world = await startMediaWorld('media-quota', ACCOUNT, { instances: 2, env: { MEDIA_MAX_PER_USER: '3' }, platform });
  });
  afterAll(() => world?.close());

  const register = () => world.sandbox.sandbox.registerMedia(ACCOUNT.appId, { type: 'image', size: 1000 });

  it('counts saved media per user, cluster-wide: past the limit 429 MEDIA_QUOTA_EXCEEDED without calling WeChat', async () => {
    const [here, there] = await Promise.all(world.apps.map((app) => loggedInClient(app.url, world.sandbox.sandbox)));
    // a failed save does not use the quota
    expect((await here.post('/wechat/media/NoSuchMedia_quota_0123')).status).toBe(404);
    const saved = [register(), register(), register()];
    expect((await here.post(`/wechat/media/${saved[0]}`)).status).toBe(201);
    expect((await there.post(`/wechat/media/${saved[1]}`)).status).toBe(201);
    expect((await here.post(`/wechat/media/${saved[2]}`)).status).toBe(201);

    world.sandbox.sandbox.resetCalls();
    const over = await there.post(`/wechat/media/${register()}`);
    expect(over.status).toBe(429);
    expect(over.json).toMatchObject({ statusCode: 429, code: 'MEDIA_QUOTA_EXCEEDED', maxPerUser: 3 });
    expect(world.sandbox.sandbox.calls(MEDIA_GET)).toBe(0);
    // what is saved stays readable and re-saving it is no new media
    expect((await here.post(`/wechat/media/${saved[0]}`)).status).toBe(200);
    expect((await there.get(`/wechat/media/${saved[1]}`)).status).toBe(200);
  });

  it('concurrent saves cannot pass the limit together, and another user has their own count', async () => {
    const other = await loggedInClient(world.apps[0].url, world.sandbox.sandbox, 'html');
    const otherThere = await loggedInClient(world.apps[1].url, world.sandbox.sandbox, 'html');
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => (i % 2 ? otherThere : other).post(`/wechat/media/${register()}`)),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 201, 201, 429, 429, 429]);
  });
});
