import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { randomAlphanumeric, randomDecimal, randomHexString } from './pay-crypto.js';
import type { ResolvedSandboxPayOptions } from './pay-options.js';
import { selfSignedCertificate, type SimPlatformCertificate } from './x509.js';

/** What a service needs to talk to the sandbox's WeChat Pay as its test merchant. */
export interface SandboxPayMerchant {
  mchId: string;
  /** the merchant API private key, PKCS#8 PEM */
  privateKey: string;
  /** serial of the merchant API certificate (hex), sent as `serial_no` */
  certSerial: string;
  /** 32 ASCII characters */
  apiV3Key: string;
  /** WeChat Pay's public key, SPKI PEM */
  publicKey: string;
  /** `PUB_KEY_ID_` + digits */
  publicKeyId: string;
}

/** Both sides' keys as the simulator uses them. */
export interface SimPayKeys {
  merchant: SandboxPayMerchant;
  merchantPublicKey: KeyObject;
  wechatPayKey: KeyObject;
  /** certificate mode only */
  certificate?: SimPlatformCertificate;
  /** `Wechatpay-Serial` of answers and notifications: the public key id, or the certificate serial */
  signingSerial: string;
}

const newRsaKey = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

/** Takes the fixed keys given in the options and generates the rest (RSA-2048, ~150 ms each). */
export function createSimPayKeys(options: ResolvedSandboxPayOptions, now: number): SimPayKeys {
  const { keys } = options;
  const merchantKey = keys.merchantPrivateKey ? createPrivateKey(keys.merchantPrivateKey) : newRsaKey();
  const wechatPayKey = keys.wechatPayPrivateKey ? createPrivateKey(keys.wechatPayPrivateKey) : newRsaKey();
  const publicKeyId = keys.publicKeyId ?? `PUB_KEY_ID_${randomDecimal(32)}`;
  const certificate = options.mode === 'certificate' ? selfSignedCertificate(wechatPayKey, now) : undefined;
  const merchant: SandboxPayMerchant = {
    mchId: options.mchId,
    privateKey: merchantKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    certSerial: keys.certSerial ?? randomHexString(20).toUpperCase(),
    apiV3Key: keys.apiV3Key ?? randomAlphanumeric(32),
    publicKey: createPublicKey(wechatPayKey).export({ type: 'spki', format: 'pem' }).toString(),
    publicKeyId,
  };
  return {
    merchant,
    merchantPublicKey: createPublicKey(merchantKey),
    wechatPayKey,
    certificate,
    signingSerial: certificate?.serialNo ?? publicKeyId,
  };
}
