import type { KeyObject } from 'node:crypto';
import { rsaVerify } from './pay-crypto.js';

/** The signed headers of an answer or a notification from WeChat Pay, and the raw body they cover. */
export interface SignedMessage {
  timestamp?: string;
  nonce?: string;
  signature?: string;
  serial?: string;
  /** exactly the bytes received, as UTF-8 text: re-serialised JSON would not verify */
  body: string;
}

export type VerifyFailure = 'missing-headers' | 'probe' | 'stale' | 'unknown-serial' | 'bad-signature';

export type VerifyResult = { ok: true } | { ok: false; reason: VerifyFailure };

/** WeChat Pay sends signatures with this prefix on purpose, to see whether a merchant verifies: never valid. */
export const PROBE_PREFIX = 'WECHATPAY/SIGNTEST/';
/** An answer or notification more than this far from now, either way, is refused as a replay. */
export const MAX_SKEW_SECONDS = 300;

/** The keys WeChat Pay signs with, by the serial it names in `Wechatpay-Serial`. */
export interface VerificationKeys {
  /** a key for this serial, or undefined: an unknown serial is refused, never a reason to fetch */
  keyFor(serial: string): KeyObject | undefined;
}

/**
 * The WeChat Pay public key under its id (`PUB_KEY_ID_…`) and, while a merchant switches over or
 * keeps them, platform certificates by their hex serial: whichever the message names.
 */
export class CombinedKeys implements VerificationKeys {
  private certificates = new Map<string, KeyObject>();

  constructor(private readonly publicKey?: { id: string; key: KeyObject }) {}

  /** Replaces the platform certificates known (serials compared case-insensitively). */
  setCertificates(certs: ReadonlyMap<string, KeyObject>): void {
    this.certificates = new Map([...certs].map(([serial, key]) => [serial.toUpperCase(), key]));
  }

  get certificateSerials(): string[] {
    return [...this.certificates.keys()];
  }

  keyFor(serial: string): KeyObject | undefined {
    if (this.publicKey && serial === this.publicKey.id) return this.publicKey.key;
    return this.certificates.get(serial.toUpperCase());
  }
}

/** `Wechatpay-Timestamp\nWechatpay-Nonce\nbody\n`: three lines, the last ending in a newline too. */
export function answerMessage(timestamp: string, nonce: string, body: string): string {
  return `${timestamp}\n${nonce}\n${body}\n`;
}

/**
 * Verifies an answer or notification from WeChat Pay: all four headers present, not a signature
 * probe, a timestamp within 300 s of now either way, a serial we hold a key for, and the signature.
 */
export function verifyWechatPay(message: SignedMessage, keys: VerificationKeys, nowMs: number): VerifyResult {
  const { timestamp, nonce, signature, serial, body } = message;
  if (!timestamp || !nonce || !signature || !serial) return { ok: false, reason: 'missing-headers' };
  if (signature.startsWith(PROBE_PREFIX)) return { ok: false, reason: 'probe' };
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(nowMs / 1000 - Number(timestamp)) > MAX_SKEW_SECONDS)
    return { ok: false, reason: 'stale' };
  const key = keys.keyFor(serial);
  if (!key) return { ok: false, reason: 'unknown-serial' };
  return rsaVerify(answerMessage(timestamp, nonce, body), signature, key) ? { ok: true } : { ok: false, reason: 'bad-signature' };
}
