import { IsIn, IsOptional, IsString, IsUrl, Matches } from 'class-validator';
import { MessageEnvironmentVariables } from './message-env.schema.js';

/** what an http(s) URL variable accepts (no TLD needed: internal hosts and 127.0.0.1) */
export const urlOptions = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

/** WeChat Pay's variables: pay is on when WECHAT_PAY_MCHID is set (pay-settings.ts checks the set as a whole). */
export class PayEnvironmentVariables extends MessageEnvironmentVariables {
  @IsOptional()
  @Matches(/^\d{6,32}$/, { message: 'must be the merchant number (digits)' })
  WECHAT_PAY_MCHID?: string;

  @IsOptional()
  @IsString()
  WECHAT_PAY_PRIVATE_KEY?: string;

  @IsOptional()
  @IsString()
  WECHAT_PAY_PRIVATE_KEY_FILE?: string;

  @IsOptional()
  @Matches(/^[0-9A-Fa-f]{8,64}$/, { message: 'must be the hex serial number of the merchant API certificate' })
  WECHAT_PAY_CERT_SERIAL?: string;

  @IsOptional()
  @IsString()
  WECHAT_PAY_APIV3_KEY?: string;

  @IsOptional()
  @IsString()
  WECHAT_PAY_PUBLIC_KEY?: string;

  @IsOptional()
  @IsString()
  WECHAT_PAY_PUBLIC_KEY_FILE?: string;

  @IsOptional()
  @Matches(/^PUB_KEY_ID_\d{1,64}$/, { message: 'must be PUB_KEY_ID_ followed by digits' })
  WECHAT_PAY_PUBLIC_KEY_ID?: string;

  @IsIn(['off', 'auto'])
  WECHAT_PAY_PLATFORM_CERTS: 'off' | 'auto' = 'off';

  @IsOptional()
  @IsUrl(urlOptions, { message: 'must be an http(s) URL' })
  WECHAT_PAY_BASE_URL?: string;

  @IsOptional()
  @IsUrl(urlOptions, { message: 'must be an http(s) URL without a query string' })
  WECHAT_PAY_NOTIFY_URL?: string;

  /** `name:secret,...` allowed to refund and close any order */
  @IsString()
  PAY_ADMIN_TOKENS = '';

  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// URL' })
  DATABASE_URL?: string;

  @IsOptional()
  @IsString()
  PAY_LEDGER_DIR?: string;

  /** the PostgreSQL schema of the ledger's tables (created when missing) */
  @Matches(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'must be a plain lower-case SQL identifier' })
  PAY_LEDGER_SCHEMA = 'public';
}
