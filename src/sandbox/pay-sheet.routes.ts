import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { SandboxRouteOptions } from './credential.routes.js';
import { parseJsonObject, sendJson, useRawBodies } from './http-reply.js';
import { SandboxPayError, type SandboxPayRefusal } from './pay/pay-simulator.js';
import type { Sandbox } from './sandbox.js';

/** Any page may call these routes (text/plain, no preflight), as it may call the JS-SDK simulator's. */
const OPEN = { 'access-control-allow-origin': '*', 'cache-control': 'no-store' };
/** An open sheet can be paid for this long (sandbox clock); at most this many are kept. */
export const SHEET_TTL_MS = 10 * 60_000;
const MAX_SHEETS = 500;

/** What the WeChat client says when a page may not pay (the page then gets `…:fail` with this reason). */
export const PAY_SHEET_REASONS = {
  directory: '当前页面的URL未注册',
  signature: '支付验证签名失败',
  package: 'package格式错误，应为prepay_id=…',
  appId: 'appId与下单的appid不一致',
  sheet: '支付已失效，请重新发起',
  ORDER_NOT_EXIST: '订单不存在',
  PREPAY_EXPIRED: 'prepay_id已过期，请重新下单',
  ORDERPAID: '该订单已支付',
  ORDER_CLOSED: '该订单已关闭',
  PAYER_MISMATCH: '付款人与下单用户不一致',
} as const satisfies Record<string, string> & Record<SandboxPayRefusal, string>;

interface OpenSheet {
  prepayId: string;
  openedAt: number;
}

const fail = (reply: FastifyReply, reason: string, status = 200) => sendJson(reply, { ok: false, reason }, status);
const refusal = (err: unknown) => {
  if (err instanceof SandboxPayError) return PAY_SHEET_REASONS[err.code];
  throw err;
};

/** The checks WeChat makes before it shows its pay sheet: pay directory, paySign, the order behind the prepay_id. */
function openSheet(sandbox: Sandbox, body: Record<string, unknown>): { reason: string } | { prepayId: string; answer: object } {
  const { appId, timeStamp, nonceStr, package: pkg, signType, paySign, url } = body;
  if (typeof url !== 'string' || !sandbox.pay.isUnderPayDirectory(url)) return { reason: PAY_SHEET_REASONS.directory };
  const strings = [appId, timeStamp, nonceStr, pkg, paySign].every((v) => typeof v === 'string');
  const params = { appId, timeStamp, nonceStr, package: pkg, paySign, signType } as Parameters<Sandbox['pay']['checkPaySign']>[0];
  if (!strings || (signType !== undefined && typeof signType !== 'string') || !sandbox.pay.checkPaySign(params))
    return { reason: PAY_SHEET_REASONS.signature };
  const prepayId = /^prepay_id=(.+)$/.exec(pkg as string)?.[1];
  if (prepayId === undefined) return { reason: PAY_SHEET_REASONS.package };
  try {
    const order = sandbox.pay.sheetOrder(prepayId);
    if (order.appId !== appId) return { reason: PAY_SHEET_REASONS.appId };
    const user = sandbox.users.find((u) => u.key === order.payer);
    const payer = user && { key: user.key, nickname: user.nickname };
    return { prepayId, answer: { description: order.description, amount: order.total, outTradeNo: order.outTradeNo, payer } };
  } catch (err) {
    return { reason: refusal(err) };
  }
}

/**
 * The simulated WeChat client's pay sheet, which jweixin.js's `wx.chooseWXPay` and `WeixinJSBridge.invoke
 * ('getBrandWCPayRequest')` call: `POST /__sandbox/pay/sheet` checks the page's pay parameters and opens a sheet,
 * `…/sheet/:id/pay` pays the order as its payer (the notification goes out as usual), `…/sheet/:id/cancel` drops it.
 * Never echoes the paySign.
 */
export const paySheetRoutes: FastifyPluginAsync<SandboxRouteOptions> = async (app, { sandbox }) => {
  useRawBodies(app);
  const sheets = new Map<string, OpenSheet>();
  const take = (id: string): OpenSheet | undefined => {
    const sheet = sheets.get(id);
    sheets.delete(id);
    return sheet && sandbox.pay.now() - sheet.openedAt < SHEET_TTL_MS ? sheet : undefined;
  };

  app.post('/__sandbox/pay/sheet', (req, reply) => {
    reply.headers(OPEN);
    const body = parseJsonObject(req.body);
    if (!body) return fail(reply, 'body must be a JSON object', 400);
    const opened = openSheet(sandbox, body);
    if ('reason' in opened) return fail(reply, opened.reason);
    // the oldest sheets go first: a page that never answers its sheet must not grow the sandbox
    while (sheets.size >= MAX_SHEETS) sheets.delete(sheets.keys().next().value!);
    const id = randomBytes(12).toString('base64url');
    sheets.set(id, { prepayId: opened.prepayId, openedAt: sandbox.pay.now() });
    return sendJson(reply, { ok: true, sheet: id, ...opened.answer });
  });

  app.post('/__sandbox/pay/sheet/:id/pay', (req, reply) => {
    reply.headers(OPEN);
    const sheet = take((req.params as { id: string }).id);
    if (!sheet) return fail(reply, PAY_SHEET_REASONS.sheet);
    try {
      const transaction = sandbox.pay.pay(sheet.prepayId);
      return sendJson(reply, { ok: true, outTradeNo: transaction.out_trade_no });
    } catch (err) {
      return fail(reply, refusal(err));
    }
  });

  app.post('/__sandbox/pay/sheet/:id/cancel', (req, reply) => {
    reply.headers(OPEN);
    take((req.params as { id: string }).id);
    return sendJson(reply, { ok: true });
  });
};
