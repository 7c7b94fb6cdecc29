import { createPublicKey, randomBytes, sign, type KeyObject } from 'node:crypto';

/** A self-signed certificate standing in for a WeChat Pay platform certificate. */
export interface SimPlatformCertificate {
  /** upper-case hex, as `serial_no` and `Wechatpay-Serial` carry it */
  serialNo: string;
  pem: string;
  notBefore: number;
  notAfter: number;
}

// Minimal DER: just the types an X.509 v3 certificate without extensions needs.
function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  if (n < 0x80) return Buffer.concat([Buffer.from([tag, n]), content]);
  const hex = n.toString(16);
  const len = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
  return Buffer.concat([Buffer.from([tag, 0x80 | len.length]), len, content]);
}
const seq = (...parts: Buffer[]) => tlv(0x30, Buffer.concat(parts));
const set = (...parts: Buffer[]) => tlv(0x31, Buffer.concat(parts));
const positiveInteger = (bytes: Buffer) => tlv(0x02, bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
const NULL = Buffer.from([0x05, 0x00]);

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const bytes = [40 * a! + b!];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let v = arc >>> 7; v > 0; v >>>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** RFC 5280: UTCTime through 2049, GeneralizedTime from 2050. */
function time(ms: number): Buffer {
  const iso = new Date(ms).toISOString();
  const digits = iso.slice(0, 19).replace(/[-:T]/g, '') + 'Z';
  const year = new Date(ms).getUTCFullYear();
  return year < 2050 ? tlv(0x17, Buffer.from(digits.slice(2), 'ascii')) : tlv(0x18, Buffer.from(digits, 'ascii'));
}

const SHA256_WITH_RSA = seq(oid('1.2.840.113549.1.1.11'), NULL);
const attribute = (type: string, value: Buffer) => set(seq(oid(type), value));
const NAME = seq(
  attribute('2.5.4.6', tlv(0x13, Buffer.from('CN', 'ascii'))),
  attribute('2.5.4.10', tlv(0x0c, Buffer.from('WeChat Pay sandbox (simulator)', 'utf8'))),
  attribute('2.5.4.3', tlv(0x0c, Buffer.from('Tenpay.com sign (sandbox)', 'utf8'))),
);

/** Self-signed X.509 v3 (SHA256withRSA) for `privateKey`, valid from `now` for `days`, with a random 20-byte serial. */
export function selfSignedCertificate(privateKey: KeyObject, now: number, days = 5 * 365): SimPlatformCertificate {
  const serial = randomBytes(20);
  serial[0] = 0x10 + (serial[0]! % 0x70); // positive, no leading zero: 40 hex digits
  const notBefore = Math.floor(now / 1000) * 1000;
  const notAfter = notBefore + days * 86_400_000;
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const tbs = seq(
    tlv(0xa0, positiveInteger(Buffer.from([2]))),
    positiveInteger(serial),
    SHA256_WITH_RSA,
    NAME,
    seq(time(notBefore), time(notAfter)),
    NAME,
    spki,
  );
  const signature = sign('sha256', tbs, privateKey);
  const der = seq(tbs, SHA256_WITH_RSA, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const lines = der.toString('base64').match(/.{1,64}/g)!;
  const pem = `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
  return { serialNo: serial.toString('hex').toUpperCase(), pem, notBefore, notAfter };
}
