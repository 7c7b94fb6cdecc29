import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateEnv } from './validate-env.js';
import { problemsOf } from '../../../test/support/config-problems.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIVATE_PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const PUBLIC_PEM = publicKey.export({ type: 'spki', format: 'pem' }).toString();

const PRODUCTION = {
  NODE_ENV: 'production',
  WECHAT_APP_ID: 'wx1234567890abcdef',
  WECHAT_APP_SECRET: 'abcdefabcdef',
  SESSION_SECRET: 'a-Random-session-secret-1234567890xyz',
  METRICS_TOKEN: 'metrics-token-0123456789abcdefghijkl',
  PUBLIC_BASE_URL: 'https://h5.example.com',
};
const PAY = {
  WECHAT_PAY_MCHID: '1900000109',
  WECHAT_PAY_PRIVATE_KEY: PRIVATE_PEM.replace(/\n/g, '\\n'),
  WECHAT_PAY_CERT_SERIAL: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1',
  WECHAT_PAY_APIV3_KEY: 'a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb',
  WECHAT_PAY_PUBLIC_KEY: PUBLIC_PEM,
  WECHAT_PAY_PUBLIC_KEY_ID: 'PUB_KEY_ID_0114232134912410000000000000',
  DATABASE_URL: 'postgres://pay:pw@db.internal:5432/shop',
};

describe('pay settings from the environment', () => {
  it('turns pay on with WECHAT_PAY_MCHID: the merchant, its notify url under PUBLIC_BASE_URL, the ledger', () => {
    const pay = validateEnv({ ...PRODUCTION, ...PAY }).app.pay;
    expect(pay).toMatchObject({
      source: 'env',
      options: {
        mchId: '1900000109',
        privateKey: PRIVATE_PEM,
        notifyUrl: 'https://h5.example.com/wechat/pay/notify',
        databaseUrl: PAY.DATABASE_URL,
        ledgerSchema: 'public',
        production: true,
        platformCertificates: 'off',
      },
    });
  });

  it('is off without WECHAT_PAY_MCHID outside the sandbox, and on with the simulator in it', () => {
    expect(validateEnv(PRODUCTION).app.pay).toBeUndefined();
    expect(validateEnv({}).app.pay).toMatchObject({ source: 'sandbox', notifyUrl: 'http://localhost:3000/wechat/pay/notify' });
  });

  it('reads the keys from files, and names a file it cannot read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pay-keys-'));
    writeFileSync(join(dir, 'key.pem'), PRIVATE_PEM);
    writeFileSync(join(dir, 'pub.pem'), PUBLIC_PEM);
    const files = { WECHAT_PAY_PRIVATE_KEY: undefined, WECHAT_PAY_PUBLIC_KEY: undefined };
    const env = {
      ...PRODUCTION,
      ...PAY,
      ...files,
      WECHAT_PAY_PRIVATE_KEY_FILE: join(dir, 'key.pem'),
      WECHAT_PAY_PUBLIC_KEY_FILE: join(dir, 'pub.pem'),
    };
    expect(validateEnv(env).app.pay).toMatchObject({ options: { privateKey: PRIVATE_PEM, publicKey: PUBLIC_PEM } });
    expect(problemsOf({ ...env, WECHAT_PAY_PRIVATE_KEY_FILE: join(dir, 'missing.pem') })).toEqual([
      'WECHAT_PAY_PRIVATE_KEY_FILE: cannot be read',
    ]);
    rmSync(dir, { recursive: true });
  });

  it.each([
    [
      'no DATABASE_URL in production',
      { DATABASE_URL: undefined },
      /^DATABASE_URL: is required in production when WECHAT_PAY_MCHID is set/,
    ],
    ['no private key', { WECHAT_PAY_PRIVATE_KEY: undefined }, /^WECHAT_PAY_PRIVATE_KEY: is required/],
    ['no certificate serial', { WECHAT_PAY_CERT_SERIAL: undefined }, /^WECHAT_PAY_CERT_SERIAL: is required/],
    ['an APIv3 key of 16 bytes', { WECHAT_PAY_APIV3_KEY: 'testMchAPIv3Key0' }, /^WECHAT_PAY_APIV3_KEY: .*32 bytes/],
    [
      'a public key without its id',
      { WECHAT_PAY_PUBLIC_KEY_ID: undefined },
      /^WECHAT_PAY_PUBLIC_KEY_ID: the WeChat Pay public key and its id go together/,
    ],
    [
      'no way to verify WeChat Pay',
      { WECHAT_PAY_PUBLIC_KEY: undefined, WECHAT_PAY_PUBLIC_KEY_ID: undefined },
      /^WECHAT_PAY_PUBLIC_KEY: is required/,
    ],
    [
      'an http notify url in production',
      { WECHAT_PAY_NOTIFY_URL: 'http://h5.example.com/notify' },
      /^WECHAT_PAY_NOTIFY_URL: must be https in production/,
    ],
    [
      'a notify url with a query',
      { WECHAT_PAY_NOTIFY_URL: 'https://h5.example.com/notify?a=1' },
      /^WECHAT_PAY_NOTIFY_URL: must have no query/,
    ],
    ['a short pay admin secret', { PAY_ADMIN_TOKENS: 'ops:short' }, /^PAY_ADMIN_TOKENS: /],
  ])('refuses %s, naming the variable and never a key', (_name, change, problem) => {
    const problems = problemsOf({ ...PRODUCTION, ...PAY, ...change });
    expect(problems).toEqual([expect.stringMatching(problem)]);
    expect(problems.join('\n')).not.toMatch(/PRIVATE KEY|a7cde1ZJB1|BEGIN|pw@/);
  });

  it('lets the platform certificates alone verify WeChat Pay', () => {
    const env = {
      ...PRODUCTION,
      ...PAY,
      WECHAT_PAY_PUBLIC_KEY: undefined,
      WECHAT_PAY_PUBLIC_KEY_ID: undefined,
      WECHAT_PAY_PLATFORM_CERTS: 'auto',
    };
    expect(validateEnv(env).app.pay).toMatchObject({ options: { platformCertificates: 'auto' } });
  });
});
