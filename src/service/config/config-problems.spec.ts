import { commaList, configurationProblems } from './config-problems.js';
import { EnvironmentVariables } from './env.schema.js';

/** The schema's defaults with `change` on top, as validateEnv would hand them on (no schema check here). */
const envOf = (change: Partial<Record<keyof EnvironmentVariables, unknown>> = {}) =>
  Object.assign(new EnvironmentVariables(), change) as EnvironmentVariables;

const CREDENTIALS = { WECHAT_APP_ID: 'wx1234567890abcdef', WECHAT_APP_SECRET: 'abcdefabcdef' };
const PRODUCTION = { ...CREDENTIALS, NODE_ENV: 'production', SESSION_SECRET: 'a-Random-session-secret-1234567890xyz' };
/** The problems of a sandbox configuration with `change`. */
const sandboxed = (change: Partial<Record<keyof EnvironmentVariables, unknown>>) => configurationProblems(envOf(change), true);
/** The problems of a production configuration with `change`. */
const production = (change: Partial<Record<keyof EnvironmentVariables, unknown>>) =>
  configurationProblems(envOf({ ...PRODUCTION, ...change }), false);

describe('configurationProblems', () => {
  it('finds nothing wrong with the defaults in the sandbox, nor with a complete production', () => {
    expect(configurationProblems(envOf(), true)).toEqual([]);
    expect(production({})).toEqual([]);
  });

  describe('the WeChat account', () => {
    it('wants the AppID and AppSecret together, naming the one missing', () => {
      expect(sandboxed({ WECHAT_APP_ID: CREDENTIALS.WECHAT_APP_ID })).toEqual([
        'WECHAT_APP_SECRET: is required when WECHAT_APP_ID is set',
      ]);
      expect(sandboxed({ WECHAT_APP_SECRET: CREDENTIALS.WECHAT_APP_SECRET })).toEqual([
        'WECHAT_APP_ID: is required when WECHAT_APP_SECRET is set',
      ]);
      expect(configurationProblems(envOf(CREDENTIALS), false)).toEqual([]);
    });

    it('outside the sandbox needs an account: credentials or WECHAT_ACCOUNTS, and says so for production', () => {
      expect(configurationProblems(envOf(), false)).toEqual([
        'WECHAT_APP_ID: is required (with WECHAT_APP_SECRET, or WECHAT_ACCOUNTS) when WECHAT_SANDBOX=false',
      ]);
      expect(configurationProblems(envOf({ NODE_ENV: 'production', SESSION_SECRET: PRODUCTION.SESSION_SECRET }), false)).toEqual([
        'WECHAT_APP_ID: is required in production (with WECHAT_APP_SECRET), or WECHAT_ACCOUNTS',
      ]);
      expect(configurationProblems(envOf({ WECHAT_ACCOUNTS: '[]' }), false)).toEqual([]);
      // the sandbox has an account of its own
      expect(configurationProblems(envOf(), true)).toEqual([]);
    });
  });

  describe('SESSION_SECRET', () => {
    it('production wants one of at least 32 characters', () => {
      const required = 'SESSION_SECRET: is required in production and must be at least 32 characters';
      expect(production({ SESSION_SECRET: undefined })).toEqual([required]);
      expect(production({ SESSION_SECRET: 'aB3-cD5_'.repeat(4).slice(1) })).toEqual([required]);
      expect(production({ SESSION_SECRET: 'aB3-cD5_'.repeat(4) })).toEqual([]);
    });

    it('elsewhere it may be left out, but one given must be at least 32 characters', () => {
      expect(sandboxed({ SESSION_SECRET: undefined })).toEqual([]);
      expect(sandboxed({ SESSION_SECRET: 'x'.repeat(31) })).toEqual(['SESSION_SECRET: must be at least 32 characters']);
      expect(sandboxed({ SESSION_SECRET: 'x'.repeat(32) })).toEqual([]);
      // a short secret counts once, with the production wording, in production
      expect(production({ SESSION_SECRET: 'x'.repeat(31) })).toEqual([
        'SESSION_SECRET: is required in production and must be at least 32 characters',
      ]);
    });

    it('production wants it random: 8 distinct characters at least, once it is long enough', () => {
      const notRandom = 'SESSION_SECRET: must be random: it has fewer than 8 distinct characters';
      expect(production({ SESSION_SECRET: 'abcdefg'.repeat(5).slice(0, 32) })).toEqual([notRandom]);
      expect(production({ SESSION_SECRET: 'abcdefg'.repeat(6) })).toEqual([notRandom]);
      expect(production({ SESSION_SECRET: 'abcdefgh'.repeat(4) })).toEqual([]);
      // outside production a repetitive secret is only a development convenience
      expect(sandboxed({ SESSION_SECRET: 'x'.repeat(32) })).toEqual([]);
    });
  });

  describe('media storage', () => {
    it('S3 storage needs a bucket; disk storage does not', () => {
      expect(sandboxed({ MEDIA_STORAGE: 's3' })).toEqual(['S3_BUCKET: is required when MEDIA_STORAGE=s3']);
      expect(sandboxed({ MEDIA_STORAGE: 's3', S3_BUCKET: 'media-bucket' })).toEqual([]);
      expect(sandboxed({ MEDIA_STORAGE: 'disk' })).toEqual([]);
    });

    it('wants the S3 key id and secret together, naming the one missing', () => {
      expect(sandboxed({ S3_ACCESS_KEY_ID: 'AKID' })).toEqual(['S3_SECRET_ACCESS_KEY: is required when S3_ACCESS_KEY_ID is set']);
      expect(sandboxed({ S3_SECRET_ACCESS_KEY: 'secret' })).toEqual([
        'S3_ACCESS_KEY_ID: is required when S3_SECRET_ACCESS_KEY is set',
      ]);
      expect(sandboxed({ S3_ACCESS_KEY_ID: 'AKID', S3_SECRET_ACCESS_KEY: 'secret' })).toEqual([]);
    });
  });

  it('the sandbox serves its simulator on PORT, so that must be a fixed port', () => {
    expect(sandboxed({ PORT: 0 })).toEqual([
      'PORT: must be a fixed port in sandbox mode (the built-in simulator is served on it)',
    ]);
    expect(sandboxed({ PORT: 3000 })).toEqual([]);
    expect(configurationProblems(envOf({ ...CREDENTIALS, PORT: 0 }), false)).toEqual([]);
  });

  describe('Redis', () => {
    it('takes one topology: the second one set is named, with all that are set', () => {
      expect(sandboxed({ REDIS_URL: 'redis://r:6379' })).toEqual([]);
      expect(sandboxed({ REDIS_CLUSTER_NODES: 'a:7000' })).toEqual([]);
      expect(sandboxed({ REDIS_SENTINELS: 's:26379', REDIS_SENTINEL_NAME: 'mymaster' })).toEqual([]);
      expect(sandboxed({ REDIS_URL: 'redis://r:6379', REDIS_CLUSTER_NODES: 'a:7000' })).toEqual([
        'REDIS_CLUSTER_NODES: set only one Redis topology (REDIS_URL and REDIS_CLUSTER_NODES are both set)',
      ]);
      expect(sandboxed({ REDIS_URL: 'redis://r:6379', REDIS_SENTINELS: 's:26379', REDIS_SENTINEL_NAME: 'm' })).toEqual([
        'REDIS_SENTINELS: set only one Redis topology (REDIS_URL and REDIS_SENTINELS are both set)',
      ]);
      expect(sandboxed({ REDIS_CLUSTER_NODES: 'a:7000', REDIS_SENTINELS: 's:26379', REDIS_SENTINEL_NAME: 'm' })).toEqual([
        'REDIS_SENTINELS: set only one Redis topology (REDIS_CLUSTER_NODES and REDIS_SENTINELS are both set)',
      ]);
      expect(
        sandboxed({
          REDIS_URL: 'redis://r:6379',
          REDIS_CLUSTER_NODES: 'a:7000',
          REDIS_SENTINELS: 's:26379',
          REDIS_SENTINEL_NAME: 'm',
        }),
      ).toEqual([
        'REDIS_CLUSTER_NODES: set only one Redis topology (REDIS_URL and REDIS_CLUSTER_NODES and REDIS_SENTINELS are both set)',
      ]);
    });

    it('counts a list of blanks as unset', () => {
      expect(sandboxed({ REDIS_URL: 'redis://r:6379', REDIS_CLUSTER_NODES: '  ', REDIS_SENTINELS: ' ' })).toEqual([]);
      expect(sandboxed({ REDIS_SENTINELS: '  ' })).toEqual([]);
      expect(sandboxed({ REDIS_SENTINEL_NAME: 'mymaster', REDIS_SENTINELS: '  ' })).toEqual([
        'REDIS_SENTINELS: is required with REDIS_SENTINEL_NAME',
      ]);
    });

    it('wants the sentinels and the master name together', () => {
      expect(sandboxed({ REDIS_SENTINELS: 's:26379' })).toEqual(['REDIS_SENTINEL_NAME: is required with REDIS_SENTINELS']);
      expect(sandboxed({ REDIS_SENTINEL_NAME: 'mymaster' })).toEqual(['REDIS_SENTINELS: is required with REDIS_SENTINEL_NAME']);
    });
  });

  describe('the credential API and a credential source', () => {
    it('names each consumer entry that does not parse', () => {
      expect(sandboxed({ CREDENTIAL_API_TOKENS: `java:${'s'.repeat(32)}` })).toEqual([]);
      expect(sandboxed({ CREDENTIAL_API_TOKENS: 'java:short' })).toEqual([
        'CREDENTIAL_API_TOKENS: entry 1 (java): the secret must be at least 32 characters',
      ]);
    });

    it('wants the source url and its token together, naming the one missing', () => {
      const url = 'https://central.internal/wechat/credentials';
      expect(sandboxed({ WECHAT_CREDENTIAL_SOURCE_URL: url })).toEqual([
        'WECHAT_CREDENTIAL_SOURCE_TOKEN: is required with WECHAT_CREDENTIAL_SOURCE_URL',
      ]);
      expect(sandboxed({ WECHAT_CREDENTIAL_SOURCE_TOKEN: 't'.repeat(32) })).toEqual([
        'WECHAT_CREDENTIAL_SOURCE_URL: is required with WECHAT_CREDENTIAL_SOURCE_TOKEN',
      ]);
      expect(sandboxed({ WECHAT_CREDENTIAL_SOURCE_URL: url, WECHAT_CREDENTIAL_SOURCE_TOKEN: 't'.repeat(32) })).toEqual([]);
    });
  });

  it('names each PAY_ADMIN_TOKENS entry that does not parse', () => {
    expect(sandboxed({ PAY_ADMIN_TOKENS: 'ops:short' })).toEqual([
      'PAY_ADMIN_TOKENS: entry 1 (ops): the secret must be at least 32 characters',
    ]);
    expect(sandboxed({ PAY_ADMIN_TOKENS: `ops:${'s'.repeat(32)}` })).toEqual([]);
  });

  it('adds the pay and message settings’ own problems', () => {
    expect(sandboxed({ WECHAT_PAY_MCHID: '1900000109' })).toEqual(
      expect.arrayContaining([expect.stringMatching(/^WECHAT_PAY_PRIVATE_KEY: /)]),
    );
    expect(sandboxed({ WECHAT_MESSAGE_AES_KEY: 'a'.repeat(43) })).toEqual([
      'WECHAT_MESSAGE_TOKEN: is required when WECHAT_MESSAGE_AES_KEY is set',
    ]);
  });

  describe('production refuses', () => {
    it('the sandbox, and nothing else of WECHAT_SANDBOX', () => {
      expect(production({ WECHAT_SANDBOX: 'true' })).toEqual([
        'WECHAT_SANDBOX: must not be true in production (the simulator and its fault routes would be public)',
      ]);
      expect(production({ WECHAT_SANDBOX: 'false' })).toEqual([]);
      expect(sandboxed({ WECHAT_SANDBOX: 'true' })).toEqual([]);
    });

    it('a PUBLIC_BASE_URL that is more than an http(s) origin', () => {
      const notOrigin = 'PUBLIC_BASE_URL: must be an origin only, such as https://h5.example.com (no path, query or fragment)';
      for (const origin of [
        'https://h5.example.com',
        'https://h5.example.com/',
        'http://h5.example.com:8080',
        'HTTPS://H5.EXAMPLE.COM',
        'https://[::1]:8443',
      ]) {
        expect([origin, production({ PUBLIC_BASE_URL: origin })]).toEqual([origin, []]);
      }
      for (const url of [
        'https://h5.example.com/app',
        'https://h5.example.com//',
        'https://h5.example.com?x=1',
        'https://h5.example.com#top',
        'https://user@h5.example.com',
        'https://h5.example.com\\x',
        'https://',
        'ftp://h5.example.com',
        'x-https://h5.example.com',
        'https:/h5.example.com',
      ]) {
        expect([url, production({ PUBLIC_BASE_URL: url })]).toEqual([url, [notOrigin]]);
      }
      // outside production the path is the host's business
      expect(sandboxed({ PUBLIC_BASE_URL: 'https://h5.example.com/app' })).toEqual([]);
    });

    it('a CORS_ORIGINS entry of * (spaces around it too), but not a list of origins', () => {
      const star = "CORS_ORIGINS: must list origins in production; * would let any site call the API with the user's cookie";
      expect(production({ CORS_ORIGINS: 'https://a.example.com, * ' })).toEqual([star]);
      expect(production({ CORS_ORIGINS: '*' })).toEqual([star]);
      expect(production({ CORS_ORIGINS: 'https://a.example.com,https://b.example.com' })).toEqual([]);
      expect(sandboxed({ CORS_ORIGINS: '*' })).toEqual([]);
    });

    it('TRUST_PROXY=true, but not a hop count, addresses, false, or a value the schema refuses', () => {
      expect(production({ TRUST_PROXY: 'true' })).toEqual([
        expect.stringMatching(/^TRUST_PROXY: must not be true in production: /),
      ]);
      for (const trust of ['false', '1', '10.0.0.0/8', 'maybe']) {
        expect([trust, production({ TRUST_PROXY: trust })]).toEqual([trust, []]);
      }
      expect(sandboxed({ TRUST_PROXY: 'true' })).toEqual([]);
    });
  });
});

describe('commaList', () => {
  it('is the trimmed, non-empty entries of a comma-separated variable', () => {
    expect(commaList(' a.com, ,b.com ,, c.com')).toEqual(['a.com', 'b.com', 'c.com']);
    expect(commaList('')).toEqual([]);
    expect(commaList(' , ')).toEqual([]);
  });
});
