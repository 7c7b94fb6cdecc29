import { accessSync, constants, readFileSync } from 'node:fs';
import type { PayModuleOptions } from '../../nest/pay/pay.options.js';
import type { EnvironmentVariables } from './env.schema.js';

/** Pay as the service runs it: the merchant from the environment, or the sandbox's test merchant. */
export type PayConfig =
  | { source: 'env'; options: Omit<PayModuleOptions, 'onPaid' | 'onRefunded' | 'orders'> }
  | { source: 'sandbox'; notifyUrl: string; databaseUrl?: string; ledgerDir?: string; ledgerSchema: string; adminTokens: string };

/** A PEM given inline (`\n` may be written as the two characters) or as a file. */
function pemOf(inline: string | undefined, file: string | undefined, read: (path: string) => string): string | undefined {
  if (inline) return inline.replace(/\\n/g, '\n');
  return file ? read(file) : undefined;
}

function readable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** What is missing or wrong in the pay variables, each problem naming its variable. */
export function payProblems(env: EnvironmentVariables, sandbox: boolean): string[] {
  if (!env.WECHAT_PAY_MCHID) return [];
  const problems: string[] = [];
  if (!env.WECHAT_PAY_PRIVATE_KEY && !env.WECHAT_PAY_PRIVATE_KEY_FILE)
    problems.push('WECHAT_PAY_PRIVATE_KEY: is required when WECHAT_PAY_MCHID is set (or WECHAT_PAY_PRIVATE_KEY_FILE)');
  if (!env.WECHAT_PAY_CERT_SERIAL) problems.push('WECHAT_PAY_CERT_SERIAL: is required when WECHAT_PAY_MCHID is set');
  if (Buffer.byteLength(env.WECHAT_PAY_APIV3_KEY ?? '') !== 32)
    problems.push('WECHAT_PAY_APIV3_KEY: is required when WECHAT_PAY_MCHID is set and must be exactly 32 bytes');
  const publicKey = !!(env.WECHAT_PAY_PUBLIC_KEY || env.WECHAT_PAY_PUBLIC_KEY_FILE);
  if (publicKey !== !!env.WECHAT_PAY_PUBLIC_KEY_ID)
    problems.push('WECHAT_PAY_PUBLIC_KEY_ID: the WeChat Pay public key and its id go together');
  if (!publicKey && env.WECHAT_PAY_PLATFORM_CERTS !== 'auto')
    problems.push('WECHAT_PAY_PUBLIC_KEY: is required (with WECHAT_PAY_PUBLIC_KEY_ID) unless WECHAT_PAY_PLATFORM_CERTS=auto');
  if (env.NODE_ENV === 'production' && !sandbox && !env.DATABASE_URL)
    problems.push('DATABASE_URL: is required in production when WECHAT_PAY_MCHID is set (the pay ledger lives in PostgreSQL)');
  for (const name of ['WECHAT_PAY_PRIVATE_KEY_FILE', 'WECHAT_PAY_PUBLIC_KEY_FILE'] as const) {
    const file = env[name];
    if (file && !readable(file)) problems.push(`${name}: cannot be read`);
  }
  if (env.WECHAT_PAY_NOTIFY_URL && /[?#]/.test(env.WECHAT_PAY_NOTIFY_URL))
    problems.push('WECHAT_PAY_NOTIFY_URL: must have no query string or fragment');
  if (env.NODE_ENV === 'production' && env.WECHAT_PAY_NOTIFY_URL && !env.WECHAT_PAY_NOTIFY_URL.startsWith('https://'))
    problems.push('WECHAT_PAY_NOTIFY_URL: must be https in production');
  return problems;
}

/**
 * The pay settings, or undefined when pay is off (no WECHAT_PAY_MCHID outside the sandbox). In the
 * sandbox pay is on with the simulator's test merchant, whose keys exist only once it starts.
 */
export function paySettings(
  env: EnvironmentVariables,
  sandbox: boolean,
  publicBaseUrl: string,
  read: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): PayConfig | undefined {
  const notifyUrl = env.WECHAT_PAY_NOTIFY_URL ?? `${publicBaseUrl}/wechat/pay/notify`;
  const ledger = { databaseUrl: env.DATABASE_URL, ledgerDir: env.PAY_LEDGER_DIR, ledgerSchema: env.PAY_LEDGER_SCHEMA };
  if (!env.WECHAT_PAY_MCHID)
    return sandbox ? { source: 'sandbox', notifyUrl, ...ledger, adminTokens: env.PAY_ADMIN_TOKENS } : undefined;
  return {
    source: 'env',
    options: {
      mchId: env.WECHAT_PAY_MCHID,
      privateKey: pemOf(env.WECHAT_PAY_PRIVATE_KEY, env.WECHAT_PAY_PRIVATE_KEY_FILE, read) ?? '',
      certSerial: env.WECHAT_PAY_CERT_SERIAL ?? '',
      apiV3Key: env.WECHAT_PAY_APIV3_KEY ?? '',
      publicKey: pemOf(env.WECHAT_PAY_PUBLIC_KEY, env.WECHAT_PAY_PUBLIC_KEY_FILE, read),
      publicKeyId: env.WECHAT_PAY_PUBLIC_KEY_ID,
      platformCertificates: env.WECHAT_PAY_PLATFORM_CERTS,
      notifyUrl,
      ...ledger,
      production: env.NODE_ENV === 'production',
      adminTokens: env.PAY_ADMIN_TOKENS,
      ...(env.WECHAT_PAY_BASE_URL ? { baseUrl: env.WECHAT_PAY_BASE_URL } : {}),
    },
  };
}
