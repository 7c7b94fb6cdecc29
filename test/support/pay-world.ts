import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { type Sandbox, startSandbox, type SandboxServer } from '../../src/sandbox/index.js';
import { encryptedNotificationBody, wechatPaySignedHeaders } from '../../src/sandbox/pay/notification.js';
import { type Platform, type RunningApp, serviceEnv, startApp } from './app.js';
import { loggedInClient } from './media-client.js';
import { freePort } from './processes.js';

export const PAY_ACCOUNT = { appId: 'wxpaye2e000000001', appSecret: 'pay-e2e-secret-0123456789' };
export const PAY_ADMIN = `ops:${'a'.repeat(40)}`;
export const ADMIN_BEARER = { authorization: `Bearer ${'a'.repeat(40)}` };
export const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

export type LedgerKind = 'postgres' | 'embedded';

export interface PayWorld {
  sandbox: SandboxServer;
  apps: RunningApp[];
  schema?: string;
  login(user?: string, app?: number): ReturnType<typeof loggedInClient>;
  close(): Promise<void>;
}

/**
 * A sandbox (WeChat and WeChat Pay) and `instances` services paying through it, sharing Redis and,
 * with `postgres`, one ledger in a schema of this test's own (dropped at close).
 */
export async function startPayWorld(
  platform: Platform,
  ledger: LedgerKind,
  instances = 1,
  { certificates = false } = {},
): Promise<PayWorld> {
  const mode = certificates ? ('certificate' as const) : ('public-key' as const);
  const sandbox = await startSandbox({ accounts: [PAY_ACCOUNT], pay: { notifyTimeScale: 0.001, duplicateAfterMs: 1000, mode } });
  const m = sandbox.sandbox.pay.merchant;
  const schema = ledger === 'postgres' ? `pay_e2e_${randomBytes(6).toString('hex')}` : undefined;
  const ports = await Promise.all(Array.from({ length: instances }, () => freePort()));
  const apps: RunningApp[] = [];
  for (const port of ports) {
    const env = serviceEnv(sandbox.url, PAY_ACCOUNT, {
      WECHAT_PAY_MCHID: m.mchId,
      WECHAT_PAY_PRIVATE_KEY: m.privateKey,
      WECHAT_PAY_CERT_SERIAL: m.certSerial,
      WECHAT_PAY_APIV3_KEY: m.apiV3Key,
      // a merchant of platform certificates only, or of the WeChat Pay public key
      ...(certificates
        ? { WECHAT_PAY_PLATFORM_CERTS: 'auto' }
        : { WECHAT_PAY_PUBLIC_KEY: m.publicKey, WECHAT_PAY_PUBLIC_KEY_ID: m.publicKeyId }),
      WECHAT_PAY_BASE_URL: sandbox.url,
      WECHAT_PAY_NOTIFY_URL: `http://127.0.0.1:${port}/wechat/pay/notify`,
      PAY_ADMIN_TOKENS: PAY_ADMIN,
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      CACHE_KEY_PREFIX: `payE2e${randomBytes(4).toString('hex')}:`,
      ...(schema ? { DATABASE_URL, PAY_LEDGER_SCHEMA: schema } : {}),
    });
    apps.push(await startApp(env, platform, port));
  }
  return {
    sandbox,
    apps,
    schema,
    login: (user = 'alice', app = 0) => loggedInClient(apps[app]!.url, sandbox.sandbox, user),
    close: async () => {
      await Promise.all(apps.map((a) => a.close()));
      await sandbox.close();
      if (schema) {
        const client = new pg.Client({ connectionString: DATABASE_URL });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await client.end();
      }
    },
  };
}

/** A signed notification as it reaches the notify route. */
export interface SignedNotification {
  body: string;
  headers: Record<string, string>;
}

/**
 * A TRANSACTION.SUCCESS notification for `outTradeNo` of `appId`, sealed and signed by the simulator's own
 * code as WeChat Pay would send it; `signerOffsetMs` moves its signing time (a stale or future one).
 */
export function paidNotification(
  sandbox: Sandbox,
  appId: string,
  outTradeNo: string,
  total: number,
  signerOffsetMs = 0,
): SignedNotification {
  const pay = sandbox.pay;
  const plaintext = JSON.stringify({
    mchid: pay.merchant.mchId,
    appid: appId,
    out_trade_no: outTradeNo,
    transaction_id: `4200${Date.now()}`,
    trade_type: 'JSAPI',
    trade_state: 'SUCCESS',
    trade_state_desc: '支付成功',
    success_time: '2026-12-07T18:00:00+08:00',
    payer: { openid: 'o-any' },
    amount: { total, payer_total: total, currency: 'CNY', payer_currency: 'CNY' },
  });
  const event = {
    id: `EV-${randomUUID()}`,
    createTime: '2026-12-07T18:00:00+08:00',
    eventType: 'TRANSACTION.SUCCESS' as const,
    summary: '支付成功',
    originalType: 'transaction' as const,
    plaintext,
  };
  const body = encryptedNotificationBody(event, pay.merchant.apiV3Key);
  const signer = { ...pay.signer, now: () => Date.now() + signerOffsetMs };
  return { body, headers: { 'content-type': 'application/json', ...wechatPaySignedHeaders(body, signer) } };
}
