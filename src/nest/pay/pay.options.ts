import type { KeyObject } from 'node:crypto';
import { checkConsumers, parseConsumers, type CredentialConsumer } from '../../core/credentials/consumers.js';
import { apiV3KeyBytes, privateKeyFromPem, publicKeyFromPem } from '../../core/pay/pay-crypto.js';
import type { PayOrders } from '../../core/pay/pay-orders.js';
import type { PayHooks } from '../../core/pay/settlement.js';

/** What a host passes to PayModule.forRoot / forRootAsync. */
export interface PayModuleOptions extends PayHooks {
  /** the merchant number (mchid), bound to the accounts whose users pay */
  mchId: string;
  /** the merchant API private key (apiclient_key.pem), PKCS#8 or PKCS#1 PEM; never logged */
  privateKey: string;
  /** serial number (hex) of the merchant API certificate */
  certSerial: string;
  /** the APIv3 key: exactly 32 bytes; never logged */
  apiV3Key: string;
  /** WeChat Pay's public key (SPKI PEM) and its id `PUB_KEY_ID_…`: how WeChat Pay is verified */
  publicKey?: string;
  publicKeyId?: string;
  /** `auto`: also accept platform-certificate signatures (downloaded hourly); default `off` */
  platformCertificates?: 'off' | 'auto';
  /** where WeChat Pay sends notifications: absolute, no query string (https in production) */
  notifyUrl: string;
  /** the ledger: a repository of the host's own; else PostgreSQL at `databaseUrl`; else (not in production) an embedded one */
  orders?: PayOrders;
  databaseUrl?: string;
  /** the embedded ledger's directory; default: in memory */
  ledgerDir?: string;
  /** the schema of the ledger's tables; default public */
  ledgerSchema?: string;
  /** refuse what production must not run with (an embedded ledger, an http notify url); default false */
  production?: boolean;
  /** `name:secret` pairs (secrets ≥ 32 characters) allowed to refund and to close any order */
  adminTokens?: string | readonly string[];
  /** default https://api.mch.weixin.qq.com */
  baseUrl?: string;
  /** one call to WeChat Pay, ms; default 10000 */
  timeoutMs?: number;
}

export interface ResolvedPayOptions {
  mchId: string;
  privateKey: KeyObject;
  certSerial: string;
  apiV3Key: Buffer;
  publicKey?: { id: string; key: KeyObject };
  platformCertificates: boolean;
  notifyUrl: string;
  orders?: PayOrders;
  databaseUrl?: string;
  ledgerDir?: string;
  ledgerSchema?: string;
  production: boolean;
  admins: CredentialConsumer[];
  baseUrl: string;
  timeoutMs: number;
  hooks: PayHooks;
}

export const PAY_OPTIONS = Symbol('PAY_OPTIONS');

const fail = (message: string): never => {
  throw new Error(`PayModule: ${message}`);
};

/** Checks the options once, at start, with messages that name the option and never show a key. */
export function resolvePayOptions(options: PayModuleOptions): ResolvedPayOptions {
  const o = options;
  if (!/^\d{6,32}$/.test(o.mchId ?? '')) fail('mchId must be the merchant number (digits)');
  const privateKey = tryKey(() => privateKeyFromPem(o.privateKey), 'privateKey must be the merchant API private key in PEM');
  if (!/^[0-9A-Fa-f]{8,64}$/.test(o.certSerial ?? '')) fail('certSerial must be the hex serial of the merchant API certificate');
  const apiV3Key = tryKey(() => apiV3KeyBytes(o.apiV3Key ?? ''), 'apiV3Key must be exactly 32 bytes');
  const publicKey = o.publicKey || o.publicKeyId ? resolvePublicKey(o) : undefined;
  const platformCertificates = o.platformCertificates === 'auto';
  if (!publicKey && !platformCertificates)
    fail('give publicKey and publicKeyId (WeChat Pay public key), or platformCertificates: "auto"');
  const production = o.production === true;
  const notifyUrl = checkNotifyUrl(o.notifyUrl, production);
  const raw = typeof o.adminTokens === 'string' ? o.adminTokens : (o.adminTokens ?? []).join(',');
  const parsed = parseConsumers(raw);
  if (parsed.problems.length) fail(`adminTokens: ${parsed.problems.join('; ')}`);
  if (o.timeoutMs !== undefined && !(Number.isInteger(o.timeoutMs) && o.timeoutMs >= 100 && o.timeoutMs <= 60_000))
    fail('timeoutMs must be 100 to 60000');
  return {
    mchId: o.mchId,
    privateKey,
    certSerial: o.certSerial,
    apiV3Key,
    publicKey,
    platformCertificates,
    notifyUrl,
    orders: o.orders,
    databaseUrl: o.databaseUrl,
    ledgerDir: o.ledgerDir,
    ledgerSchema: o.ledgerSchema,
    production,
    admins: checkConsumers(parsed.consumers),
    baseUrl: (o.baseUrl ?? 'https://api.mch.weixin.qq.com').replace(/\/+$/, ''),
    timeoutMs: o.timeoutMs ?? 10_000,
    hooks: { onPaid: o.onPaid, onRefunded: o.onRefunded },
  };
}

function resolvePublicKey(o: PayModuleOptions): { id: string; key: KeyObject } {
  if (!/^PUB_KEY_ID_\d{1,64}$/.test(o.publicKeyId ?? '')) fail('publicKeyId must be PUB_KEY_ID_ followed by digits');
  const key = tryKey(() => publicKeyFromPem(o.publicKey ?? ''), 'publicKey must be the WeChat Pay public key in PEM');
  return { id: o.publicKeyId!, key };
}

function checkNotifyUrl(raw: string, production: boolean): string {
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    fail('notifyUrl must be an absolute url');
  }
  if (!/^https?:$/.test(url!.protocol) || url!.search || url!.hash || url!.username)
    fail('notifyUrl must be http(s) without a query string, fragment or credentials');
  if (production && url!.protocol !== 'https:') fail('notifyUrl must be https in production');
  return url!.href;
}

function tryKey<T>(load: () => T, message: string): T {
  try {
    return load();
  } catch {
    return fail(message);
  }
}
