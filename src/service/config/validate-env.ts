import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { type AppConfig, ConfigurationError, toAppConfig } from './app-config.js';
import { redactUrlCredentials } from '../../core/redact.js';
import { EnvironmentVariables } from './env.schema.js';

/** Every variable the service reads. */
export const KNOWN_VARIABLES: ReadonlySet<string> = new Set(
  Object.keys(new EnvironmentVariables()).concat([
    'WECHAT_APP_ID',
    'WECHAT_APP_SECRET',
    'WECHAT_ACCOUNTS',
    'REDIS_URL',
    'REDIS_SENTINEL_NAME',
    'PUBLIC_BASE_URL',
    'SESSION_SECRET',
    'OPENAPI_DOCS',
    'WECHAT_CREDENTIAL_SOURCE_URL',
    'WECHAT_CREDENTIAL_SOURCE_TOKEN',
    'WECHAT_HTTP_PROXY',
    'HTTPS_PROXY',
    'https_proxy',
    'WECHAT_PAY_MCHID',
    'WECHAT_PAY_PRIVATE_KEY',
    'WECHAT_PAY_PRIVATE_KEY_FILE',
    'WECHAT_PAY_CERT_SERIAL',
    'WECHAT_PAY_APIV3_KEY',
    'WECHAT_PAY_PUBLIC_KEY',
    'WECHAT_PAY_PUBLIC_KEY_FILE',
    'WECHAT_PAY_PUBLIC_KEY_ID',
    'WECHAT_PAY_BASE_URL',
    'WECHAT_PAY_NOTIFY_URL',
    'DATABASE_URL',
    'PAY_LEDGER_DIR',
  ]),
);

function describe(error: ValidationError, raw: Record<string, unknown>): string {
  const reasons = Object.values(error.constraints ?? {}).map((m) => m.replace(`${error.property} `, ''));
  const value = raw[error.property];
  // secrets, and what may carry one (a proxy url with its password)
  const secret = /SECRET|ACCOUNTS|TOKEN|PROXY|KEY|DATABASE/i.test(error.property);
  const shown = secret || value === undefined ? '' : ` (got ${JSON.stringify(redactUrlCredentials(String(value))).slice(0, 80)})`;
  return `${error.property}: ${reasons.join('; ')}${shown}`;
}

/**
 * Validates the raw environment and derives the typed AppConfig.
 * Empty strings count as unset, so `FOO=` in a .env file falls back to the default.
 */
export function validateEnv(raw: Record<string, unknown>): { env: EnvironmentVariables; app: AppConfig } {
  const relevant: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (KNOWN_VARIABLES.has(key) && value !== undefined && value !== '') relevant[key] = value;
  }
  const env = plainToInstance(EnvironmentVariables, relevant, { enableImplicitConversion: true });
  const errors = validateSync(env, { skipMissingProperties: false, forbidUnknownValues: false });
  if (errors.length) throw new ConfigurationError(errors.map((e) => describe(e, relevant)));
  return { env, app: toAppConfig(env) };
}

export const APP_CONFIG = Symbol('APP_CONFIG');
