/** Fixed keys for the test merchant; anything left out is generated when first needed. */
export interface SandboxPayKeys {
  /** the merchant's API private key (PEM, PKCS#8 or PKCS#1) */
  merchantPrivateKey?: string;
  /** hex serial of the merchant API certificate, sent as `serial_no` */
  certSerial?: string;
  /** exactly 32 ASCII characters */
  apiV3Key?: string;
  /** WeChat Pay's own private key: it signs answers and notifications */
  wechatPayPrivateKey?: string;
  /** `PUB_KEY_ID_` + digits */
  publicKeyId?: string;
}

export type SandboxPayKeyMode = 'public-key' | 'certificate';

export interface SandboxPayOptions {
  /** The test merchant, bound to every sandbox account's appId. Default 1900000109. */
  mchId?: string;
  /** Multiplies every notification delay (retry schedule, duplicate, refund settling). Default 1; tests use e.g. 0.001. */
  notifyTimeScale?: number;
  /** The duplicate notification follows the first delivery after this long (scaled). Default 1000. */
  duplicateAfterMs?: number;
  /** JSAPI pay directories (支付授权目录); a page must lie under one. Default: any port of http://localhost and http://127.0.0.1. */
  payDirectories?: string[];
  /** How WeChat Pay signs: its public key (`PUB_KEY_ID_…`, the default) or a platform certificate. */
  mode?: SandboxPayKeyMode;
  keys?: SandboxPayKeys;
  /** A notification delivery is abandoned (and counts as failed) after this long. Default 5000. */
  notifyTimeoutMs?: number;
}

export interface ResolvedSandboxPayOptions {
  mchId: string;
  notifyTimeScale: number;
  duplicateAfterMs: number;
  payDirectories: string[];
  mode: SandboxPayKeyMode;
  keys: SandboxPayKeys;
  notifyTimeoutMs: number;
}

export const SANDBOX_MCH_ID = '1900000109';
const API_V3_KEY = /^[\x21-\x7e]{32}$/;
const PUBLIC_KEY_ID = /^PUB_KEY_ID_\d+$/;

function nonNegative(name: string, value: number): number {
  if (!(Number.isFinite(value) && value >= 0)) throw new Error(`sandbox: option pay.${name} must be a non-negative number`);
  return value;
}

export function resolveSandboxPayOptions(options: SandboxPayOptions = {}): ResolvedSandboxPayOptions {
  const keys = { ...options.keys };
  if (keys.apiV3Key !== undefined && !API_V3_KEY.test(keys.apiV3Key)) {
    throw new Error('sandbox: pay.keys.apiV3Key must be exactly 32 printable ASCII characters');
  }
  if (keys.publicKeyId !== undefined && !PUBLIC_KEY_ID.test(keys.publicKeyId)) {
    throw new Error('sandbox: pay.keys.publicKeyId must be PUB_KEY_ID_ followed by digits');
  }
  if (keys.certSerial !== undefined && !/^[0-9A-Fa-f]{1,40}$/.test(keys.certSerial)) {
    throw new Error('sandbox: pay.keys.certSerial must be a hex serial');
  }
  const mchId = options.mchId ?? SANDBOX_MCH_ID;
  if (!/^\d{1,32}$/.test(mchId)) throw new Error('sandbox: pay.mchId must be digits');
  const mode = options.mode ?? 'public-key';
  if (mode !== 'public-key' && mode !== 'certificate') throw new Error('sandbox: pay.mode must be public-key or certificate');
  const payDirectories = options.payDirectories ?? ['http://localhost/', 'http://127.0.0.1/'];
  for (const dir of payDirectories) {
    if (!URL.canParse(dir)) throw new Error(`sandbox: pay directory ${dir} is not a URL`);
  }
  return {
    mchId,
    notifyTimeScale: nonNegative('notifyTimeScale', options.notifyTimeScale ?? 1),
    duplicateAfterMs: nonNegative('duplicateAfterMs', options.duplicateAfterMs ?? 1000),
    payDirectories: [...payDirectories],
    mode,
    keys,
    notifyTimeoutMs: nonNegative('notifyTimeoutMs', options.notifyTimeoutMs ?? 5000),
  };
}
