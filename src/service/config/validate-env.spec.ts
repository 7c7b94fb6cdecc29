import { SANDBOX_ACCOUNT } from './app-config.js';
import { EnvironmentVariables } from './env.schema.js';
import { KNOWN_VARIABLES, validateEnv } from './validate-env.js';
import { problemsOf } from '../../../test/support/config-problems.js';

describe('validateEnv', () => {
  it('applies the documented defaults and turns the sandbox on without credentials', () => {
    const { app } = validateEnv({});
    expect(app).toMatchObject({
      nodeEnv: 'development',
      host: '127.0.0.1',
      port: 3000,
      sandbox: true,
      appId: SANDBOX_ACCOUNT.appId,
      tokenMode: 'stable',
      jsDomains: [],
      httpTimeoutMs: 5000,
      keyPrefix: 'wechat:',
      oauthScope: 'snsapi_userinfo',
      publicBaseUrl: 'http://localhost:3000',
      trustProxy: false,
      corsOrigins: [],
      mediaDir: './data/media',
      apiBaseUrl: 'http://127.0.0.1:3000/sandbox',
      openBaseUrl: 'http://localhost:3000/sandbox',
    });
    expect(app.sessionSecret.length).toBeGreaterThanOrEqual(32);
  });

  it('uses WeChat itself when credentials are set', () => {
    const { app } = validateEnv({
      WECHAT_APP_ID: 'wx1234567890abcdef',
      WECHAT_APP_SECRET: 'abcdefabcdef',
      WECHAT_JS_DOMAINS: 'A.com, b.com',
    });
    expect(app).toMatchObject({ sandbox: false, apiBaseUrl: 'https://api.weixin.qq.com', jsDomains: ['a.com', 'b.com'] });
  });

  it('gives the message variables to the default account, wherever it comes from, and turns messages on', () => {
    const token = { WECHAT_MESSAGE_TOKEN: 'EnvToken1', WECHAT_MESSAGE_AES_KEY: 'a'.repeat(43) };
    const direct = validateEnv({ WECHAT_APP_ID: 'wx1234567890abcdef', WECHAT_APP_SECRET: 'abcdefabcdef', ...token }).app;
    expect([direct.messageToken, direct.messageAesKey, direct.messages]).toEqual([
      'EnvToken1',
      'a'.repeat(43),
      { replyTimeoutMs: 4000 },
    ]);
    const listed = JSON.stringify([
      { appId: 'wxaaaa1111aaaa1111', appSecret: 'secret-a' },
      { appId: 'wxbbbb1111bbbb1111', appSecret: 'secret-b', messageToken: 'OtherToken' },
    ]);
    const fromList = validateEnv({ WECHAT_ACCOUNTS: listed, ...token }).app;
    expect([fromList.appId, fromList.messageToken]).toEqual(['wxaaaa1111aaaa1111', 'EnvToken1']);
    expect(fromList.accounts).toEqual([expect.objectContaining({ appId: 'wxbbbb1111bbbb1111', messageToken: 'OtherToken' })]);
    const both = JSON.stringify([{ appId: 'wxaaaa1111aaaa1111', appSecret: 'secret-a', messageToken: 'OwnToken' }]);
    expect(problemsOf({ WECHAT_ACCOUNTS: both, ...token })).toEqual([
      expect.stringMatching(/^WECHAT_MESSAGE_TOKEN: the default account/),
    ]);
    expect(validateEnv({ WECHAT_ACCOUNTS: listed }).app.messages).toEqual({ replyTimeoutMs: 4000 });
    expect(validateEnv({ WECHAT_APP_ID: 'wx1234567890abcdef', WECHAT_APP_SECRET: 'abcdefabcdef' }).app.messages).toBeUndefined();
  });

  it('names each invalid variable on its own line, never echoing secrets', () => {
    const problems = problemsOf({
      PORT: 'abc',
      WECHAT_TOKEN_MODE: 'fast',
      REDIS_URL: 'http://x',
      TRUST_PROXY: 'maybe',
      WECHAT_APP_SECRET: 'sh',
    });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'PORT',
      'REDIS_URL',
      'TRUST_PROXY',
      'WECHAT_APP_SECRET',
      'WECHAT_TOKEN_MODE',
    ]);
    expect(problems.join('\n')).not.toContain('"sh"');
  });

  it('refuses production without credentials or with a short SESSION_SECRET', () => {
    expect(problemsOf({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32) })[0]).toMatch(/^WECHAT_APP_ID: .*production/);
    expect(
      problemsOf({
        NODE_ENV: 'production',
        WECHAT_APP_ID: 'wx1234567890abcdef',
        WECHAT_APP_SECRET: 'abcdefabcdef',
        SESSION_SECRET: 'short',
      })[0],
    ).toMatch(/^SESSION_SECRET: .*32/);
  });

  it('warns in production when any host may be signed', () => {
    const { app } = validateEnv({
      NODE_ENV: 'production',
      WECHAT_APP_ID: 'wx1234567890abcdef',
      WECHAT_APP_SECRET: 'abcdefabcdef',
      SESSION_SECRET: 'a-Random-session-secret-1234567890xyz',
    });
    expect(app.warnings.join()).toContain('WECHAT_JS_DOMAINS');
  });

  it('parses booleans and treats empty values as unset', () => {
    expect(validateEnv({ TRUST_PROXY: 'false', REDIS_URL: '' }).app).toMatchObject({ trustProxy: false, redisUrl: undefined });
    expect(validateEnv({ TRUST_PROXY: 'true' }).app.trustProxy).toBe(true);
    expect(validateEnv({ OPENAPI_DOCS: 'false' }).app.openApiDocs).toBe(false);
    expect(validateEnv({ NODE_ENV: 'test' }).app.openApiDocs).toBe(true);
  });

  it('wants both credentials or none, and WECHAT_SANDBOX=false needs them', () => {
    expect(problemsOf({ WECHAT_APP_ID: 'wx1234567890abcdef' })[0]).toMatch(/^WECHAT_APP_SECRET/);
    expect(problemsOf({ WECHAT_SANDBOX: 'false' })[0]).toMatch(/^WECHAT_APP_ID/);
  });

  it('takes one Redis topology: a Cluster or a Sentinel, each checked', () => {
    expect(validateEnv({ REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-b:7001' }).app.redisClusterNodes).toEqual([
      '10.0.0.1:7000',
      'redis-b:7001',
    ]);
    expect(validateEnv({ REDIS_SENTINELS: '10.0.0.5:26379', REDIS_SENTINEL_NAME: 'mymaster' }).app.redisSentinel).toEqual({
      sentinels: ['10.0.0.5:26379'],
      name: 'mymaster',
    });
    expect(problemsOf({ REDIS_CLUSTER_NODES: '10.0.0.1' })[0]).toMatch(/^REDIS_CLUSTER_NODES: .*host:port/);
    expect(problemsOf({ REDIS_URL: 'redis://x:6379', REDIS_CLUSTER_NODES: 'x:7000' })[0]).toMatch(
      /^REDIS_CLUSTER_NODES: set only one Redis topology/,
    );
    expect(problemsOf({ REDIS_SENTINELS: 'x:26379' })[0]).toMatch(/^REDIS_SENTINEL_NAME: is required/);
    expect(problemsOf({ REDIS_SENTINEL_NAME: 'mymaster' })[0]).toMatch(/^REDIS_SENTINELS: is required/);
  });

  it('reads the credential API consumers, a credential source and the egress proxy, never echoing their secrets', () => {
    const secret = 's'.repeat(32);
    const app = validateEnv({
      WECHAT_APP_ID: 'wx1234567890abcdef',
      WECHAT_APP_SECRET: 'app-secret-0123',
      CREDENTIAL_API_TOKENS: `java:${secret}`,
      WECHAT_CREDENTIAL_SOURCE_URL: 'https://central.internal/wechat/credentials',
      WECHAT_CREDENTIAL_SOURCE_TOKEN: secret,
      HTTPS_PROXY: 'http://egress:pw@10.0.0.9:3128',
    }).app;
    expect(app.credentialApiConsumers).toEqual([{ name: 'java', secret }]);
    expect(app.credentialSource).toEqual({ url: 'https://central.internal/wechat/credentials', token: secret });
    expect(app.httpProxy).toBe('http://egress:pw@10.0.0.9:3128');
    // WECHAT_HTTP_PROXY wins over HTTPS_PROXY; the sandbox calls itself, never through a proxy
    const both = { WECHAT_HTTP_PROXY: 'http://a:1', HTTPS_PROXY: 'http://b:2' };
    expect(
      validateEnv({ WECHAT_APP_ID: 'wx1234567890abcdef', WECHAT_APP_SECRET: 'app-secret-0123', ...both }).app.httpProxy,
    ).toBe('http://a:1');
    expect(validateEnv(both).app.httpProxy).toBeUndefined();
    expect(validateEnv({}).app.credentialApiConsumers).toEqual([]);

    const proxy = problemsOf({ HTTPS_PROXY: 'not a url with pw-secret' });
    expect(proxy).toEqual([expect.stringMatching(/^HTTPS_PROXY: must be an http\(s\) URL/)]);
    const problems = problemsOf({
      CREDENTIAL_API_TOKENS: 'java:too-short-secret',
      WECHAT_CREDENTIAL_SOURCE_URL: 'https://central.internal/x',
    });
    expect(problems).toEqual([
      'CREDENTIAL_API_TOKENS: entry 1 (java): the secret must be at least 32 characters',
      'WECHAT_CREDENTIAL_SOURCE_TOKEN: is required with WECHAT_CREDENTIAL_SOURCE_URL',
    ]);
    expect([...proxy, ...problems].join('\n')).not.toMatch(/too-short-secret|pw-secret/);
    expect(problemsOf({ WECHAT_CREDENTIAL_SOURCE_TOKEN: 'short' })[0]).toBe(
      'WECHAT_CREDENTIAL_SOURCE_TOKEN: must be at least 32 characters',
    );
  });

  it('reads TRUST_PROXY as no proxy, a number of proxies, or their addresses', () => {
    const trust = (value: string) => validateEnv({ TRUST_PROXY: value }).app.trustProxy;
    expect([trust(''), trust('0'), trust('off'), trust('1'), trust('2'), trust('10')]).toEqual([false, false, false, 1, 2, 10]);
    expect(trust('10.0.0.0/8, 192.168.1.7,loopback, ::1, fd00::/8')).toEqual([
      '10.0.0.0/8',
      '192.168.1.7',
      'loopback',
      '::1',
      'fd00::/8',
    ]);
    for (const bad of ['11', '-1', '1.5', 'maybe', '10.0.0.0/33', '::1/129', '300.1.1.1', ',', 'loopback,nope']) {
      expect(problemsOf({ TRUST_PROXY: bad })).toEqual([
        'TRUST_PROXY: must be false, a number of proxies (1, 2, ...), or comma-separated proxy IPs/CIDRs',
      ]);
    }
  });

  describe('production refuses, each on its own', () => {
    const PRODUCTION = {
      NODE_ENV: 'production',
      WECHAT_APP_ID: 'wx1234567890abcdef',
      WECHAT_APP_SECRET: 'abcdefabcdef',
      SESSION_SECRET: 'a-Random-session-secret-1234567890xyz',
      METRICS_TOKEN: 'metrics-token-0123456789abcdefghijkl',
    };
    it('starts on a correct configuration', () => {
      expect(validateEnv(PRODUCTION).app).toMatchObject({ nodeEnv: 'production', trustProxy: false, metricsRoute: true });
    });
    it.each([
      ['no SESSION_SECRET at all', { SESSION_SECRET: undefined }, /^SESSION_SECRET: is required in production/],
      ['a SESSION_SECRET of few distinct characters', { SESSION_SECRET: 'ab'.repeat(20) }, /^SESSION_SECRET: must be random/],
      ['CORS_ORIGINS with * among origins', { CORS_ORIGINS: 'https://a.example.com,*' }, /^CORS_ORIGINS: must list origins/],
      ['TRUST_PROXY=true', { TRUST_PROXY: 'true' }, /^TRUST_PROXY: must not be true in production: .*X-Forwarded-For/],
      ['TRUST_PROXY=yes', { TRUST_PROXY: 'yes' }, /^TRUST_PROXY: must not be true in production/],
      ['WECHAT_SANDBOX=true', { WECHAT_SANDBOX: 'true' }, /^WECHAT_SANDBOX: must not be true in production/],
      ['a PUBLIC_BASE_URL with a path', { PUBLIC_BASE_URL: 'https://h5.example.com/app' }, /^PUBLIC_BASE_URL: must be an origin/],
    ])('%s', (_name, change, problem) => {
      const env: Record<string, string> = { ...PRODUCTION };
      for (const [key, value] of Object.entries(change)) {
        if (value === undefined) delete env[key];
        else env[key] = value;
      }
      expect(problemsOf(env)).toEqual([expect.stringMatching(problem)]);
    });
    it('accepts a hop count and proxy addresses, and warns of https without TRUST_PROXY', () => {
      expect(validateEnv({ ...PRODUCTION, TRUST_PROXY: '1' }).app.trustProxy).toBe(1);
      expect(validateEnv({ ...PRODUCTION, TRUST_PROXY: '10.0.0.0/8' }).app.trustProxy).toEqual(['10.0.0.0/8']);
      const tls = validateEnv({ ...PRODUCTION, PUBLIC_BASE_URL: 'https://h5.example.com' }).app;
      expect(tls.warnings.join('\n')).toContain('TRUST_PROXY is false');
      expect(
        validateEnv({ ...PRODUCTION, PUBLIC_BASE_URL: 'https://h5.example.com', TRUST_PROXY: '1' }).app.warnings.join('\n'),
      ).not.toContain('TRUST_PROXY');
    });
    it('serves /metrics in production only with METRICS_TOKEN, and says so', () => {
      const { METRICS_TOKEN: _token, ...open } = PRODUCTION;
      const app = validateEnv(open).app;
      expect(app.metricsRoute).toBe(false);
      expect(app.warnings.join('\n')).toContain('METRICS_TOKEN is not set');
      expect(validateEnv({}).app).toMatchObject({ metricsRoute: true, metricsToken: undefined });
      expect(problemsOf({ METRICS_TOKEN: 'short' })).toEqual(['METRICS_TOKEN: must be at least 32 characters']);
    });
  });

  it('reads CREDENTIAL_REPORT_MAX_PER_HOUR (default 10)', () => {
    expect(validateEnv({}).app.credentialReportMaxPerHour).toBe(10);
    expect(validateEnv({ CREDENTIAL_REPORT_MAX_PER_HOUR: '0' }).app.credentialReportMaxPerHour).toBe(0);
    expect(problemsOf({ CREDENTIAL_REPORT_MAX_PER_HOUR: '-1' })[0]).toMatch(/^CREDENTIAL_REPORT_MAX_PER_HOUR/);
  });

  it('never prints the credentials of a url it refuses', () => {
    for (const REDIS_URL of ['http://user:pw-s3cret@x', 'redis://user:pw-s3cret@[bad', 'redis://:pw-s3cret@host:port']) {
      const problems = problemsOf({ REDIS_URL });
      expect(problems).toEqual([
        expect.stringMatching(/^REDIS_URL: must be a redis:\/\/ or rediss:\/\/ URL \(got ".*:\/\/\*\*\*@/),
      ]);
      expect(problems.join()).not.toContain('pw-s3cret');
    }
    expect(problemsOf({ PUBLIC_BASE_URL: 'ftp://admin:pw-s3cret@h5' }).join()).not.toContain('pw-s3cret');
  });

  it('.env.example lists every variable the service reads, and nothing else', async () => {
    const { readFile } = await import('node:fs/promises');
    const example = await readFile(new URL('../../../.env.example', import.meta.url), 'utf8');
    const listed = new Set([...example.matchAll(/^#?\s*([A-Za-z][A-Za-z0-9_]+)=/gm)].map((m) => m[1]));
    const read = Object.keys(new EnvironmentVariables()).concat([
      'WECHAT_APP_ID',
      'WECHAT_APP_SECRET',
      'REDIS_URL',
      'PUBLIC_BASE_URL',
      'SESSION_SECRET',
    ]);
    expect(read.filter((name) => !listed.has(name)).sort()).toEqual([]);
    expect([...listed].filter((name) => !KNOWN_VARIABLES.has(name!)).sort()).toEqual([]);
  });
});
