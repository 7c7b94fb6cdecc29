// The floor of a passive reply (SPEC 7): a bare Fastify route, same Fastify version as the service, doing only
// what every correct answer to WeChat's push needs — the URL signature (sha1 of the sorted token, timestamp and
// nonce) checked, the XML parsed with fast-xml-parser (no entities, values kept as text); for `encrypt_type=aes`
// the msg_signature over Encrypt checked, the message decrypted (AES-256-CBC, 32-byte PKCS#7, the appId checked)
// and parsed, the reply encrypted and signed — and answering the same text reply XML. No once-only handling.
// With BENCH_REDIS_URL it also does what once-only handling needs at the least, with node-redis: the message's
// key claimed with SET NX PX before the reply is made and the reply recorded with SET PX after (a reported row, not
// the floor of SPEC 7).
// Environment: BENCH_MESSAGE_TOKEN, BENCH_MESSAGE_AES_KEY, BENCH_APP_ID, BENCH_REPLY[, BENCH_REDIS_URL]; prints
// "listening on URL".
import { createCipheriv, createDecipheriv, createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import Fastify from 'fastify';
import { XMLParser } from 'fast-xml-parser';
import { createClient } from 'redis';

const TOKEN = process.env.BENCH_MESSAGE_TOKEN;
const KEY = Buffer.from(`${process.env.BENCH_MESSAGE_AES_KEY}=`, 'base64');
const IV = KEY.subarray(0, 16);
const APP_ID = Buffer.from(process.env.BENCH_APP_ID, 'utf8');
const REPLY = process.env.BENCH_REPLY;
const redis = process.env.BENCH_REDIS_URL ? await createClient({ url: process.env.BENCH_REDIS_URL }).connect() : undefined;
const ONCE_PREFIX = `bench-once:${process.pid}:`;

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
});

const sha1 = (parts) => createHash('sha1').update(parts.sort().join('')).digest('hex');
const matches = (expected, given) =>
  typeof given === 'string' && given.length === expected.length && timingSafeEqual(Buffer.from(expected), Buffer.from(given));

function decrypt(encrypt) {
  const decipher = createDecipheriv('aes-256-cbc', KEY, IV).setAutoPadding(false);
  const data = Buffer.concat([decipher.update(Buffer.from(encrypt, 'base64')), decipher.final()]);
  const content = data.subarray(0, data.length - data[data.length - 1]);
  const end = 20 + content.readUInt32BE(16);
  if (!content.subarray(end).equals(APP_ID)) throw new Error('another appId');
  return content.toString('utf8', 20, end);
}

function encrypt(text) {
  const message = Buffer.from(text, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(message.length);
  const plain = Buffer.concat([randomBytes(16), length, message, APP_ID]);
  const pad = 32 - (plain.length % 32);
  const cipher = createCipheriv('aes-256-cbc', KEY, IV).setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64');
}

const app = Fastify({ logger: false });
app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_request, body, done) => done(null, body));
app.post('/wechat/messages', async (request, reply) => {
  const { signature, timestamp, nonce, encrypt_type: encryptType, msg_signature: msgSignature } = request.query;
  if (!matches(sha1([TOKEN, timestamp, nonce]), signature)) return reply.code(401).send({ code: 'MESSAGE_SIGNATURE_INVALID' });
  let message = parser.parse(request.body).xml;
  const safe = encryptType === 'aes';
  if (safe) {
    if (!matches(sha1([TOKEN, timestamp, nonce, message.Encrypt]), msgSignature))
      return reply.code(401).send({ code: 'MESSAGE_SIGNATURE_INVALID' });
    message = parser.parse(decrypt(message.Encrypt)).xml;
  }
  if (redis && (await redis.set(`${ONCE_PREFIX}claim:${message.MsgId}`, '1', { NX: true, PX: 60_000 })) !== 'OK') {
    return reply.type('text/plain').send('success');
  }
  const now = String(Math.floor(Date.now() / 1000));
  let body =
    `<xml><ToUserName><![CDATA[${message.FromUserName}]]></ToUserName><FromUserName><![CDATA[${message.ToUserName}]]></FromUserName>` +
    `<CreateTime>${now}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${REPLY}]]></Content></xml>`;
  if (safe) {
    const sealed = encrypt(body);
    const replyNonce = String(randomInt(1e9, 1e10));
    body =
      `<xml><Encrypt><![CDATA[${sealed}]]></Encrypt><MsgSignature><![CDATA[${sha1([TOKEN, now, replyNonce, sealed])}]]></MsgSignature>` +
      `<TimeStamp>${now}</TimeStamp><Nonce><![CDATA[${replyNonce}]]></Nonce></xml>`;
  }
  if (redis) await redis.set(`${ONCE_PREFIX}answer:${message.MsgId}`, REPLY, { PX: 60_000 });
  return reply.header('cache-control', 'no-store').type('text/xml; charset=utf-8').send(body);
});
await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`listening on http://127.0.0.1:${app.server.address().port}\n`);
