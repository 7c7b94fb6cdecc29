import { IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min, MinLength } from 'class-validator';
import { MESSAGE_AES_KEY_PATTERN, MESSAGE_TOKEN_PATTERN } from '../../core/accounts/account-config.js';
import { DEFAULT_REPLY_TIMEOUT_MS, MAX_REPLY_TIMEOUT_MS } from '../../core/messages/message-desk.js';

const webhookUrlOptions = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

/** The message push of the default account (服务器配置) and where its messages go. */
export class MessageEnvironmentVariables {
  @IsOptional()
  @Matches(MESSAGE_TOKEN_PATTERN, { message: 'must be 3-32 letters and digits (the Token of the server configuration)' })
  WECHAT_MESSAGE_TOKEN?: string;

  @IsOptional()
  @Matches(MESSAGE_AES_KEY_PATTERN, { message: 'must be the 43-character EncodingAESKey' })
  WECHAT_MESSAGE_AES_KEY?: string;

  /** where each message is POSTed as signed JSON; its answer's `reply` is the passive reply */
  @IsOptional()
  @IsUrl(webhookUrlOptions, { message: 'must be an http(s) URL' })
  MESSAGE_WEBHOOK_URL?: string;

  /** the HMAC-SHA256 key of the webhook's X-Signature */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters' })
  MESSAGE_WEBHOOK_SECRET?: string;

  /** how long WeChat's request waits for the reply before `success` is answered and the reply goes later */
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(0)
  @Max(MAX_REPLY_TIMEOUT_MS, { message: `must be at most ${MAX_REPLY_TIMEOUT_MS} (WeChat waits 5 s)` })
  MESSAGE_REPLY_TIMEOUT_MS: number = DEFAULT_REPLY_TIMEOUT_MS;
}
