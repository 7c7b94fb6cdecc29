// Pay notifications per second (SPEC 7), in one process pinned to the service's core by bench/pay.mjs:
// the built PayService.handleNotification (verify over the raw bytes, decrypt, apply once to an in-memory
// ledger, a no-op onPaid hook run once) beside the bare work every notification needs: one SHA256withRSA
// verify of `timestamp\nnonce\nbody\n` with the WeChat Pay public key, the body parsed to reach its resource,
// and one AES-256-GCM decryption with the tag checked. The same signed messages for both, alternating rounds.
// Usage: node bench/pay-notifications.mjs [count] [rounds]; prints JSON.
import { createDecipheriv, createPublicKey, createVerify, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { readNotification } from '../dist/core/pay/notification-reader.js';
import { PayService } from '../dist/core/pay/pay-service.js';
import { CombinedKeys } from '../dist/core/pay/wechatpay-verifier.js';
import { MemoryPayOrders } from '../dist/ledger/memory-pay-orders.js';
import { encryptedNotificationBody, wechatPaySignedHeaders } from '../dist/sandbox/pay/notification.js';

const COUNT = Number(process.argv[2] ?? 3000);
const ROUNDS = Number(process.argv[3] ?? 7);
/** passes over the messages per timed section, so each lasts a few hundred ms */
const PASSES = 3;
const MCH_ID = '1900000109';
const APP_ID = 'wx5a0d8b0c1e2f3a4b';
const OPENID = 'oSandboxAlice0000000000000000';
const PUBLIC_KEY_ID = 'PUB_KEY_ID_0114232026120700000000000000000001';

const wechatPay = generateKeyPairSync('rsa', { modulusLength: 2048 });
const merchantKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
const apiV3Key = randomBytes(24).toString('base64url').slice(0, 32);
const apiV3KeyBytes = Buffer.from(apiV3Key, 'utf8');
const wechatPayPublicKey = createPublicKey(wechatPay.privateKey);

/** COUNT orders of 1 fen and a TRANSACTION.SUCCESS notification for each, as WeChat Pay sends them (sandbox code). */
const orders = [];
const messages = [];
const signer = { key: wechatPay.privateKey, serial: PUBLIC_KEY_ID, now: Date.now };
for (let i = 0; i < COUNT; i++) {
  const outTradeNo = `bench${String(i).padStart(6, '0')}${randomBytes(8).toString('hex')}`;
  orders.push({ mchId: MCH_ID, outTradeNo, appId: APP_ID, openid: OPENID, description: 'bench coffee', amount: 1 });
  const transaction = {
    appid: APP_ID,
    mchid: MCH_ID,
    out_trade_no: outTradeNo,
    transaction_id: `42000${Date.now()}${String(i).padStart(8, '0')}`,
    trade_type: 'JSAPI',
    trade_state: 'SUCCESS',
    trade_state_desc: '支付成功',
    bank_type: 'OTHERS',
    attach: '',
    success_time: '2026-12-07T18:00:00+08:00',
    payer: { openid: OPENID },
    amount: { total: 1, payer_total: 1, currency: 'CNY', payer_currency: 'CNY' },
  };
  const event = {
    id: randomUUID(),
    createTime: '2026-12-07T18:00:00+08:00',
    eventType: 'TRANSACTION.SUCCESS',
    summary: '支付成功',
    originalType: 'transaction',
    plaintext: JSON.stringify(transaction),
  };
  const body = encryptedNotificationBody(event, apiV3Key);
  const signed = wechatPaySignedHeaders(body, signer);
  const headers = { 'content-type': 'application/json', 'wechatpay-signature-type': 'WECHATPAY2-SHA256-RSA2048' };
  for (const [name, value] of Object.entries(signed)) headers[name.toLowerCase()] = value;
  messages.push({ headers, body });
}

/** The floor: verify, reach the resource, decrypt with the tag checked. */
function bare({ headers, body }) {
  const message = `${headers['wechatpay-timestamp']}\n${headers['wechatpay-nonce']}\n${body}\n`;
  if (!createVerify('RSA-SHA256').update(message, 'utf8').verify(wechatPayPublicKey, headers['wechatpay-signature'], 'base64'))
    throw new Error('bare: signature refused');
  const { resource } = JSON.parse(body);
  const data = Buffer.from(resource.ciphertext, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', apiV3KeyBytes, Buffer.from(resource.nonce, 'utf8'));
  decipher.setAuthTag(data.subarray(data.length - 16));
  decipher.setAAD(Buffer.from(resource.associated_data, 'utf8'));
  return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]);
}

const verificationKeys = new CombinedKeys({ id: PUBLIC_KEY_ID, key: wechatPayPublicKey });
const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };
const notCalled = new Proxy({}, { get: () => () => Promise.reject(new Error('WeChat Pay is not called by a notification')) });
let hooks = 0;

/** A PayService over a fresh ledger holding the COUNT orders (unpaid), built as PayModule builds it. */
async function freshService() {
  const ledger = new MemoryPayOrders();
  const now = Date.now();
  for (const order of orders) await ledger.insertOrder(order, now);
  const pay = new PayService({
    merchant: { mchId: MCH_ID, privateKey: merchantKey, certSerial: 'ABCDEF0123456789', apiV3Key: apiV3KeyBytes, baseUrl: '' },
    notifyUrl: 'https://h5.example.com/wechat/pay/notify',
    client: notCalled,
    orders: ledger,
    keys: verificationKeys,
    hooks: { onPaid: async () => void hooks++ },
    clock: Date.now,
    logger: silent,
  });
  return pay;
}

async function timed(work) {
  const started = performance.now();
  const done = await work();
  return done / ((performance.now() - started) / 1000);
}

async function handleAll(pay, expected) {
  for (const { headers, body } of messages) {
    const result = await pay.handleNotification(headers, body);
    if (result !== expected) throw new Error(`handleNotification answered ${result}, not ${expected}`);
  }
  return messages.length;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const runs = { bare: [], read: [], applied: [], duplicate: [] };
for (let round = -1; round < ROUNDS; round++) {
  const bareRate = await timed(() => {
    for (let pass = 0; pass < PASSES; pass++) for (const m of messages) bare(m);
    return PASSES * messages.length;
  });
  // the core's reading alone (verify, decrypt, parse; what PayService.verifyNotification does), no ledger
  const readRate = await timed(() => {
    for (let pass = 0; pass < PASSES; pass++)
      for (const { headers, body } of messages) readNotification(headers, body, verificationKeys, apiV3KeyBytes, Date.now());
    return PASSES * messages.length;
  });
  // applied: each pass on a fresh ledger (built before the clock starts), every notification new
  const services = [];
  for (let pass = 0; pass < PASSES; pass++) services.push(await freshService());
  const appliedRate = await timed(async () => {
    let n = 0;
    for (const pay of services) n += await handleAll(pay, 'applied');
    return n;
  });
  // WeChat Pay's repeats (a duplicate about 1 s later, retries): the same messages again on the last ledger
  const duplicateRate = await timed(async () => {
    let n = 0;
    for (let pass = 0; pass < PASSES; pass++) n += await handleAll(services[PASSES - 1], 'duplicate');
    return n;
  });
  if (round < 0) continue; // the first round warms up
  runs.bare.push(bareRate);
  runs.read.push(readRate);
  runs.applied.push(appliedRate);
  runs.duplicate.push(duplicateRate);
}
if (hooks !== (ROUNDS + 1) * PASSES * COUNT) throw new Error(`onPaid ran ${hooks} times`);
const b = median(runs.bare);
const r = median(runs.read);
const a = median(runs.applied);
const d = median(runs.duplicate);
process.stdout.write(
  `${JSON.stringify({ count: COUNT, rounds: ROUNDS, bare: b, read: r, applied: a, duplicate: d, ratio: a / b, readRatio: r / b, duplicateRatio: d / b, runs })}\n`,
);
