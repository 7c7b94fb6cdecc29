import type { WechatAccountSettings } from '../../core/accounts/account-config.js';
import { SANDBOX_DEFAULT_ACCOUNT } from '../../sandbox/default-account.js';
import type { EnvironmentVariables } from './env.schema.js';
import { messageProblems, messageSettings } from './message-settings.js';
import { validateEnv } from './validate-env.js';
import { problemsOf } from '../../../test/support/config-problems.js';

const OWN = {
  WECHAT_APP_ID: 'wx1234567890abcdef',
  WECHAT_APP_SECRET: 'abcdefabcdef',
  WECHAT_SANDBOX: 'false',
};
const TOKEN = 'MessageToken0123';
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const WEBHOOK = { MESSAGE_WEBHOOK_URL: 'https://hooks.example.com/wechat', MESSAGE_WEBHOOK_SECRET: 'webhook-secret-0123456789' };

const account = (appId: string, messageToken?: string): WechatAccountSettings => ({
  appId,
  appSecret: `${appId}-secret`,
  jsDomains: [],
  tokenMode: 'stable',
  ...(messageToken && { messageToken }),
});
const env = (vars: Partial<EnvironmentVariables>) => ({ MESSAGE_REPLY_TIMEOUT_MS: 4000, ...vars }) as EnvironmentVariables;

describe('message settings from the environment', () => {
  it('has no message routes without a message token', () => {
    expect(validateEnv(OWN).app.messages).toBeUndefined();
    expect(validateEnv({ ...OWN, ...WEBHOOK }).app.messages).toBeUndefined();
  });

  it('turns messages on with WECHAT_MESSAGE_TOKEN: answered `success` without a webhook, within 4000 ms', () => {
    const { app } = validateEnv({ ...OWN, WECHAT_MESSAGE_TOKEN: TOKEN });
    expect(app.messages).toStrictEqual({ webhook: undefined, replyTimeoutMs: 4000 });
    expect(app).toMatchObject({ messageToken: TOKEN, messageAesKey: undefined });
  });

  it('sends messages to the signed webhook, with the EncodingAESKey and a reply timeout of its own', () => {
    const { app } = validateEnv({
      ...OWN,
      ...WEBHOOK,
      WECHAT_MESSAGE_TOKEN: TOKEN,
      WECHAT_MESSAGE_AES_KEY: AES_KEY,
      MESSAGE_REPLY_TIMEOUT_MS: '2500',
    });
    expect(app.messages).toStrictEqual({
      webhook: { url: WEBHOOK.MESSAGE_WEBHOOK_URL, secret: WEBHOOK.MESSAGE_WEBHOOK_SECRET },
      replyTimeoutMs: 2500,
    });
    expect(app).toMatchObject({ messageToken: TOKEN, messageAesKey: AES_KEY });
  });

  it("turns messages on for an account of WECHAT_ACCOUNTS that has a token, or for the sandbox's account", () => {
    const listed = { appId: 'wxlisted0001', appSecret: 'listed-secret', messageToken: TOKEN };
    const { app } = validateEnv({ ...OWN, WECHAT_ACCOUNTS: JSON.stringify([listed]) });
    expect(app.messages).toMatchObject({ replyTimeoutMs: 4000 });
    expect(validateEnv({}).app).toMatchObject({
      sandbox: true,
      messageToken: SANDBOX_DEFAULT_ACCOUNT.messageToken,
      messages: { replyTimeoutMs: 4000 },
    });
  });

  it.each([
    [
      'an EncodingAESKey without a token',
      { WECHAT_MESSAGE_AES_KEY: AES_KEY },
      /^WECHAT_MESSAGE_TOKEN: is required when WECHAT_MESSAGE_AES_KEY is set$/,
    ],
    [
      'a webhook without its secret',
      { WECHAT_MESSAGE_TOKEN: TOKEN, MESSAGE_WEBHOOK_URL: WEBHOOK.MESSAGE_WEBHOOK_URL },
      /^MESSAGE_WEBHOOK_SECRET: is required when MESSAGE_WEBHOOK_URL is set \(the webhook checks X-Signature with it\)$/,
    ],
    ['a token of 2 characters', { WECHAT_MESSAGE_TOKEN: 'ab' }, /^WECHAT_MESSAGE_TOKEN: must be 3-32 letters and digits/],
    ['a token with a dash', { WECHAT_MESSAGE_TOKEN: 'token-0123' }, /^WECHAT_MESSAGE_TOKEN: must be 3-32 letters and digits/],
    [
      'a key of 42 characters',
      { WECHAT_MESSAGE_TOKEN: TOKEN, WECHAT_MESSAGE_AES_KEY: AES_KEY.slice(1) },
      /^WECHAT_MESSAGE_AES_KEY: must be the 43-character EncodingAESKey$/,
    ],
    [
      'a short webhook secret',
      { ...WEBHOOK, MESSAGE_WEBHOOK_SECRET: 'short-secret' },
      /^MESSAGE_WEBHOOK_SECRET: must be at least 16 characters$/,
    ],
    [
      'a webhook that is not http(s)',
      { ...WEBHOOK, MESSAGE_WEBHOOK_URL: 'ftp://hooks.example.com/' },
      /^MESSAGE_WEBHOOK_URL: must be an http\(s\) URL/,
    ],
    [
      'a reply timeout over 4500 ms',
      { MESSAGE_REPLY_TIMEOUT_MS: '4501' },
      /^MESSAGE_REPLY_TIMEOUT_MS: must be at most 4500 \(WeChat waits 5 s\)/,
    ],
    [
      'a reply timeout that is not whole',
      { MESSAGE_REPLY_TIMEOUT_MS: '1.5' },
      /^MESSAGE_REPLY_TIMEOUT_MS: must be a whole number of milliseconds/,
    ],
  ])('refuses %s with one line naming the variable, never a secret', (_what, change, problem) => {
    const problems = problemsOf({ ...OWN, ...change });
    expect(problems).toEqual([expect.stringMatching(problem)]);
    expect(problems.join('\n')).not.toMatch(/MessageToken0123|abcdefghijklmnop|webhook-secret|short-secret|token-0123/);
  });

  it('names both problems at once', () => {
    expect(problemsOf({ ...OWN, WECHAT_MESSAGE_AES_KEY: AES_KEY, MESSAGE_WEBHOOK_URL: WEBHOOK.MESSAGE_WEBHOOK_URL })).toEqual([
      'WECHAT_MESSAGE_TOKEN: is required when WECHAT_MESSAGE_AES_KEY is set',
      'MESSAGE_WEBHOOK_SECRET: is required when MESSAGE_WEBHOOK_URL is set (the webhook checks X-Signature with it)',
    ]);
  });
});

describe('messageProblems', () => {
  it('accepts no message variables, a token alone, a token with its key, and a webhook with its secret', () => {
    expect(messageProblems(env({}))).toEqual([]);
    expect(messageProblems(env({ WECHAT_MESSAGE_TOKEN: TOKEN }))).toEqual([]);
    expect(messageProblems(env({ WECHAT_MESSAGE_TOKEN: TOKEN, WECHAT_MESSAGE_AES_KEY: AES_KEY }))).toEqual([]);
    expect(messageProblems(env({ ...WEBHOOK }))).toEqual([]);
    // a secret without a webhook is unused, not wrong
    expect(messageProblems(env({ MESSAGE_WEBHOOK_SECRET: WEBHOOK.MESSAGE_WEBHOOK_SECRET }))).toEqual([]);
  });

  it('names a key without a token and a webhook without a secret', () => {
    expect(messageProblems(env({ WECHAT_MESSAGE_AES_KEY: AES_KEY }))).toEqual([
      'WECHAT_MESSAGE_TOKEN: is required when WECHAT_MESSAGE_AES_KEY is set',
    ]);
    expect(messageProblems(env({ MESSAGE_WEBHOOK_URL: WEBHOOK.MESSAGE_WEBHOOK_URL }))).toEqual([
      'MESSAGE_WEBHOOK_SECRET: is required when MESSAGE_WEBHOOK_URL is set (the webhook checks X-Signature with it)',
    ]);
  });
});

describe('messageSettings', () => {
  it('is undefined when no account has a message token', () => {
    expect(messageSettings(env({ ...WEBHOOK }), [account('wxa'), account('wxb')])).toBeUndefined();
    expect(messageSettings(env({}), [])).toBeUndefined();
  });

  it('is on when any account has a message token, not only the first', () => {
    expect(messageSettings(env({ MESSAGE_REPLY_TIMEOUT_MS: 1234 }), [account('wxa'), account('wxb', TOKEN)])).toStrictEqual({
      webhook: undefined,
      replyTimeoutMs: 1234,
    });
  });

  it('has a webhook only with both its url and its secret', () => {
    const accounts = [account('wxa', TOKEN)];
    expect(messageSettings(env({ ...WEBHOOK }), accounts)?.webhook).toStrictEqual({
      url: WEBHOOK.MESSAGE_WEBHOOK_URL,
      secret: WEBHOOK.MESSAGE_WEBHOOK_SECRET,
    });
    expect(messageSettings(env({ MESSAGE_WEBHOOK_URL: WEBHOOK.MESSAGE_WEBHOOK_URL }), accounts)?.webhook).toBeUndefined();
    expect(messageSettings(env({ MESSAGE_WEBHOOK_SECRET: WEBHOOK.MESSAGE_WEBHOOK_SECRET }), accounts)?.webhook).toBeUndefined();
  });
});
