import type { WechatAccountSettings } from '../../core/accounts/account-config.js';
import type { EnvironmentVariables } from './env.schema.js';

/** Where the service sends the messages WeChat pushes: a webhook, or nowhere (`success` answered). */
export interface MessagesConfig {
  webhook?: { url: string; secret: string };
  replyTimeoutMs: number;
}

/** What is wrong across the message variables, each problem naming its variable. */
export function messageProblems(env: EnvironmentVariables): string[] {
  const problems: string[] = [];
  if (env.WECHAT_MESSAGE_AES_KEY && !env.WECHAT_MESSAGE_TOKEN)
    problems.push('WECHAT_MESSAGE_TOKEN: is required when WECHAT_MESSAGE_AES_KEY is set');
  if (env.MESSAGE_WEBHOOK_URL && !env.MESSAGE_WEBHOOK_SECRET)
    problems.push('MESSAGE_WEBHOOK_SECRET: is required when MESSAGE_WEBHOOK_URL is set (the webhook checks X-Signature with it)');
  return problems;
}

/** The message settings, or undefined when no account has a message token (the routes do not exist). */
export function messageSettings(
  env: EnvironmentVariables,
  accounts: readonly WechatAccountSettings[],
): MessagesConfig | undefined {
  if (!accounts.some((a) => a.messageToken)) return undefined;
  const webhook =
    env.MESSAGE_WEBHOOK_URL && env.MESSAGE_WEBHOOK_SECRET
      ? { url: env.MESSAGE_WEBHOOK_URL, secret: env.MESSAGE_WEBHOOK_SECRET }
      : undefined;
  return { webhook, replyTimeoutMs: env.MESSAGE_REPLY_TIMEOUT_MS };
}
