// The floor of one JSAPI order (SPEC 7): the two SHA256withRSA signatures every order needs with the
// merchant's RSA-2048 key, the Authorization of POST /v3/pay/transactions/jsapi and the page's paySign,
// and nothing else (no HTTP, no ledger, no JSON). bench/pay.mjs runs it pinned to the service's core.
// Usage: node bench/pay-floor.mjs [seconds]; prints {pairs, seconds, pairsPerSec, cpuUsPerPair} as JSON.
import { createSign, generateKeyPairSync } from 'node:crypto';

const seconds = Number(process.argv[2] ?? 5);
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const sign = (message) => createSign('RSA-SHA256').update(message, 'utf8').sign(privateKey, 'base64');

// the same sizes as the service's: a 32-character nonce, the order body it sends, the prepay_id it gets
const timestamp = Math.floor(Date.now() / 1000);
const nonce = 'Q8nKx2VbT0pLr5sWc7ZaH1mYd4Fg6JuE';
const body = JSON.stringify({
  appid: 'wx5a0d8b0c1e2f3a4b',
  mchid: '1900000109',
  description: 'bench coffee',
  out_trade_no: '20261207aB3dE5gH7jK9mN1pQ3sT5vX',
  notify_url: 'https://h5.example.com/wechat/pay/notify',
  amount: { total: 1, currency: 'CNY' },
  payer: { openid: 'oSandboxAlice0000000000000000' },
});
const request = `POST\n/v3/pay/transactions/jsapi\n${timestamp}\n${nonce}\n${body}\n`;
const paySign = `wx5a0d8b0c1e2f3a4b\n${timestamp}\n${nonce}\nprepay_id=wx07142315230129a1b2c3d4e5f60718290000\n`;

const pairsFor = (ms) => {
  const end = performance.now() + ms;
  let pairs = 0;
  while (performance.now() < end) {
    sign(request);
    sign(paySign);
    pairs++;
  }
  return pairs;
};

pairsFor(500); // warm-up
const cpu = process.cpuUsage();
const started = performance.now();
const pairs = pairsFor(seconds * 1000);
const elapsed = (performance.now() - started) / 1000;
const used = process.cpuUsage(cpu);
process.stdout.write(
  `${JSON.stringify({ pairs, seconds: elapsed, pairsPerSec: pairs / elapsed, cpuUsPerPair: (used.user + used.system) / pairs })}\n`,
);
