// WeChat Pay (SPEC 7), two rows side by side in one run:
// (a) orders per second through POST /wechat/pay/orders (a logged-in session, the service as `npm start` runs
//     it on its pinned core, the pay ledger on PostgreSQL, the simulator as WeChat Pay in a process of its own)
//     beside the bare cost of two SHA256withRSA signatures with an RSA-2048 key on the same core (every order
//     needs two: the request's Authorization and the page's paySign), alternating rounds;
// (b) notifications verified, decrypted and applied per second by the built PayService beside the bare RSA
//     verify + AES-256-GCM decryption of the same messages on the same core (bench/pay-notifications.mjs).
// Also runnable on its own: node bench/pay.mjs
import { createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import { cpuNs, runPinned, serviceEnv, startSandboxProcess, startService, uniquePrefix } from './lib.mjs';

const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ORDER = JSON.stringify({ description: 'bench coffee', amount: 1 });

/** The test merchant's keys, fixed here so that the service (env) and the simulator (options) share them. */
function merchantKeys() {
  const pem = (key) => key.export({ type: 'pkcs8', format: 'pem' }).toString();
  const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const wechatPay = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  return {
    mchId: '1900000109',
    merchantPrivateKey: pem(merchant),
    wechatPayPrivateKey: pem(wechatPay),
    wechatPayPublicKey: createPublicKey(wechatPay).export({ type: 'spki', format: 'pem' }).toString(),
    certSerial: randomBytes(20).toString('hex').toUpperCase(),
    apiV3Key: randomBytes(24).toString('base64url').slice(0, 32),
    publicKeyId: `PUB_KEY_ID_${Array.from(randomBytes(32), (b) => b % 10).join('')}`,
  };
}

/** A PostgreSQL ledger in a schema of its own, or (none reachable) undefined: the embedded one, outside production. */
async function ledgerDatabase() {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
  } catch {
    return undefined;
  }
  const schema = `bench_pay_${process.pid}_${Date.now()}`;
  return {
    env: { DATABASE_URL, PAY_LEDGER_SCHEMA: schema },
    drop: async () => {
      const c = new pg.Client({ connectionString: DATABASE_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    },
  };
}

/** The OAuth login through the simulator's consent (its control route), without a page: the cookie header. */
async function logIn(service, sandbox) {
  const jar = new Map();
  const take = (response) => {
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const eq = pair.indexOf('=');
      jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  };
  const cookie = () => [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
  const login = await fetch(`${service.url}/wechat/oauth/login?returnTo=%2F`, { redirect: 'manual' });
  take(login);
  const consent = await fetch(`${sandbox.url}/__sandbox/oauth/authorize`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url: login.headers.get('location'), user: 'alice' }),
  });
  const callback = new URL((await consent.json()).redirect);
  const done = await fetch(`${service.url}${callback.pathname}${callback.search}`, {
    redirect: 'manual',
    headers: { cookie: cookie() },
  });
  take(done);
  if (done.status !== 302) throw new Error(`login failed: ${done.status} ${await done.text()}`);
  return cookie();
}

/** Orders for `seconds`: req/s, and the service's CPU time per order (steadier than req/s on a busy machine). */
async function orderLoad(service, cookie, seconds) {
  const before = cpuNs(service.childPid);
  const r = await new Promise((resolve, reject) =>
    autocannon(
      {
        url: `${service.url}/wechat/pay/orders`,
        method: 'POST',
        connections: 50,
        pipelining: 1,
        duration: seconds,
        headers: { 'content-type': 'application/json', accept: 'application/json', cookie },
        body: ORDER,
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    ),
  );
  const cpuUs = (cpuNs(service.childPid) - before) / 1000 / r.requests.total;
  return {
    rps: r.requests.average,
    total: r.requests.total,
    cpuUs,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.non2xx + r.errors + r.timeouts,
  };
}

const median = (xs, key) => xs.map((x) => x[key]).sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function payOrders({ rounds = 5, duration = 5 } = {}) {
  const keys = merchantKeys();
  const sandbox = await startSandboxProcess({
    pay: {
      mchId: keys.mchId,
      keys: {
        merchantPrivateKey: keys.merchantPrivateKey,
        wechatPayPrivateKey: keys.wechatPayPrivateKey,
        certSerial: keys.certSerial,
        apiV3Key: keys.apiV3Key,
        publicKeyId: keys.publicKeyId,
      },
    },
  });
  let database;
  let service;
  try {
    database = await ledgerDatabase();
    service = await startService(
      serviceEnv(sandbox, {
        // production needs PostgreSQL for the ledger; without one the embedded ledger runs, in development only
        ...(database ? database.env : { NODE_ENV: 'development' }),
        CACHE_KEY_PREFIX: uniquePrefix('pay'),
        RATE_LIMIT_PER_MINUTE: '0',
        WECHAT_PAY_MCHID: keys.mchId,
        WECHAT_PAY_PRIVATE_KEY: keys.merchantPrivateKey,
        WECHAT_PAY_CERT_SERIAL: keys.certSerial,
        WECHAT_PAY_APIV3_KEY: keys.apiV3Key,
        WECHAT_PAY_PUBLIC_KEY: keys.wechatPayPublicKey,
        WECHAT_PAY_PUBLIC_KEY_ID: keys.publicKeyId,
        WECHAT_PAY_BASE_URL: sandbox.url,
        WECHAT_PAY_NOTIFY_URL: 'https://h5.example.com/wechat/pay/notify',
      }),
    );
    const cookie = await logIn(service, sandbox);
    const first = await fetch(`${service.url}/wechat/pay/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: ORDER,
    });
    if (first.status !== 201) throw new Error(`POST /wechat/pay/orders answered ${first.status}: ${await first.text()}`);
    await orderLoad(service, cookie, 2);
    await runPinned('bench/pay-floor.mjs', ['1']);
    const runs = { service: [], floor: [] };
    for (let i = 0; i < rounds; i++) {
      runs.floor.push(await runPinned('bench/pay-floor.mjs', [String(duration)]));
      runs.service.push(await orderLoad(service, cookie, duration));
    }
    const orders = median(runs.service, 'rps');
    const pairs = median(runs.floor, 'pairsPerSec');
    const cpuUs = median(runs.service, 'cpuUs');
    const floorCpuUs = median(runs.floor, 'cpuUsPerPair');
    return {
      ledger: database ? 'postgres' : 'embedded',
      orders,
      pairs,
      ratio: orders / pairs,
      cpuUs,
      floorCpuUs,
      cpuRatio: floorCpuUs / cpuUs,
      p50: median(runs.service, 'p50'),
      p99: median(runs.service, 'p99'),
      errors: runs.service.reduce((n, r) => n + r.errors, 0),
    };
  } finally {
    await service?.stop();
    await sandbox.stop();
    await database?.drop();
  }
}

export async function payNotifications({ count = 3000, rounds = 7 } = {}) {
  return runPinned('bench/pay-notifications.mjs', [String(count), String(rounds)]);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log('orders', JSON.stringify(await payOrders()));
  console.log('notifications', JSON.stringify(await payNotifications()));
}
