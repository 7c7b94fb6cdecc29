import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateEnv } from './validate-env.js';
import { ConfigurationError } from './app-config.js';

const SECRET_A = 'secret-of-account-a-0123';
const SECRET_B = 'secret-of-account-b-4567';
const A = { appId: 'wxaaaa0000aaaa0000', appSecret: SECRET_A };
const B = { appId: 'wxbbbb1111bbbb1111', appSecret: SECRET_B, jsDomains: ['B.example.com'], tokenMode: 'classic' };

/** The one problem line start-up would print, or '' when the environment is accepted. */
function problemOf(env: Record<string, string>): string {
  try {
    validateEnv(env);
    return '';
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    const problems = (error as ConfigurationError).problems;
    expect(problems).toHaveLength(1);
    return problems[0]!;
  }
}

describe('WECHAT_ACCOUNTS', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'accounts-env-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('takes inline JSON: the first entry is the default account without WECHAT_APP_ID', () => {
    const { app } = validateEnv({ WECHAT_ACCOUNTS: JSON.stringify([A, B]) });
    expect(app).toMatchObject({ sandbox: false, appId: A.appId, appSecret: SECRET_A });
    expect(app.accounts).toEqual([{ appId: B.appId, appSecret: SECRET_B, jsDomains: ['b.example.com'], tokenMode: 'classic' }]);
  });

  it('puts WECHAT_APP_ID first, and accepts it listed again with the same secret', () => {
    const { app } = validateEnv({ WECHAT_APP_ID: A.appId, WECHAT_APP_SECRET: SECRET_A, WECHAT_ACCOUNTS: JSON.stringify([B, A]) });
    expect(app.appId).toBe(A.appId);
    expect(app.accounts.map((a) => a.appId)).toEqual([B.appId]);
  });

  it('reads a JSON file when the value is a path', async () => {
    const file = join(dir, 'accounts.json');
    await writeFile(file, JSON.stringify([B]));
    const { app } = validateEnv({ WECHAT_APP_ID: A.appId, WECHAT_APP_SECRET: SECRET_A, WECHAT_ACCOUNTS: file });
    expect(app.accounts.map((a) => a.appId)).toEqual([B.appId]);
  });

  it.each([
    [
      'a duplicate appId',
      JSON.stringify([A, B, { ...B, appSecret: 'another-secret-89ab' }]),
      /^WECHAT_ACCOUNTS\[2\]\.appId: appears twice \(also WECHAT_ACCOUNTS\[1\]\)$/,
    ],
    ['a missing secret', JSON.stringify([A, { appId: B.appId }]), /^WECHAT_ACCOUNTS\[1\]\.appSecret: is required$/],
    ['an appId unfit for a key', JSON.stringify([{ ...A, appId: 'wx{a}:b' }]), /^WECHAT_ACCOUNTS\[0\]\.appId: /],
    ['jsDomains that are not strings', JSON.stringify([{ ...A, jsDomains: 'a.com' }]), /^WECHAT_ACCOUNTS\[0\]\.jsDomains: /],
    [
      'a bad tokenMode',
      JSON.stringify([{ ...A, tokenMode: 'fast' }]),
      /^WECHAT_ACCOUNTS\[0\]\.tokenMode: must be stable or classic$/,
    ],
    ['malformed JSON', `[{"appId":"${A.appId}","appSecret":"${SECRET_A}"`, /^WECHAT_ACCOUNTS: is not valid JSON/],
    ['an empty list', '[] ', /^WECHAT_ACCOUNTS: lists no account$/],
    ['one account not in a list', JSON.stringify(A), /^WECHAT_ACCOUNTS: must be a JSON array of accounts$/],
    [
      'an unreadable file',
      '/nonexistent/accounts.json',
      /^WECHAT_ACCOUNTS: cannot read the file \/nonexistent\/accounts\.json \(ENOENT\)$/,
    ],
  ])('stops start-up on %s with one line naming the entry and field, never a secret', (_what, value, expected) => {
    const problem = problemOf({ WECHAT_ACCOUNTS: value });
    expect(problem).toMatch(expected);
    expect(problem).not.toContain(SECRET_A);
    expect(problem).not.toContain(SECRET_B);
  });

  it('a different secret for the default account listed again is a duplicate', () => {
    const problem = problemOf({
      WECHAT_APP_ID: A.appId,
      WECHAT_APP_SECRET: SECRET_A,
      WECHAT_ACCOUNTS: JSON.stringify([{ ...A, appSecret: 'other-secret-0000' }]),
    });
    expect(problem).toBe('WECHAT_ACCOUNTS[0].appId: appears twice (also the default account)');
  });

  it('satisfies the credentials requirement of production', () => {
    const problem = problemOf({
      NODE_ENV: 'production',
      WECHAT_ACCOUNTS: JSON.stringify([A]),
      SESSION_SECRET: 'a-Random-session-secret-1234567890xyz',
    });
    expect(problem).toBe('');
  });
});
