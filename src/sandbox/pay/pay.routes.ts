import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { checkMerchantAuthorization } from './authorization.js';
import { SIM_PAY_ERRORS, type SimFailure, type SimResult } from './pay-errors.js';
import { parsePayBody } from './pay-body.js';
import { newRequestId, wechatPaySignedHeaders } from './notification.js';
import type { PaySimulator } from './pay-simulator.js';

type Params = Record<string, string>;

export interface PayApiRouteOptions {
  pay: PaySimulator;
  /** counts one call of a named endpoint */
  count?: (endpoint: string) => void;
}

function sendPayJson(reply: FastifyReply, body: unknown, status = 200): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(JSON.stringify(body));
}

function answer(reply: FastifyReply, result: SimResult<unknown> | SimFailure): FastifyReply {
  return result.ok ? sendPayJson(reply, result.body) : sendPayJson(reply, result.body, result.status);
}

const rawBody = (req: FastifyRequest): Buffer => (Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));
const mchidQuery = (req: FastifyRequest) => {
  const value = (req.query as Record<string, unknown>).mchid;
  return typeof value === 'string' ? value : undefined;
};

/**
 * What makes this scope WeChat Pay: raw bodies, the `Authorization` check before every handler, WeChat Pay's
 * signature on every answer (errors and 204s too), its error shapes, and pending notifications cancelled on close.
 */
function actAsWechatPay(app: FastifyInstance, pay: PaySimulator): void {
  // raw bytes: the signature covers the body exactly as sent
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.addHook('preHandler', async (req, reply) => {
    const { mchId, certSerial } = pay.keys.merchant;
    const signed = { method: req.method, url: req.url, body: rawBody(req), authorization: req.headers.authorization };
    const merchant = { mchId, certSerial, publicKey: pay.keys.merchantPublicKey };
    const failure = checkMerchantAuthorization(signed, merchant, pay.now() / 1000);
    if (failure) return answer(reply, failure);
  });

  app.addHook('onSend', async (_req, reply, payload) => {
    const body = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : '';
    reply.headers({ ...wechatPaySignedHeaders(body, pay.signer), 'Request-ID': newRequestId() });
    return payload;
  });

  app.setErrorHandler((err: { statusCode?: number }, _req, reply) =>
    answer(reply, err.statusCode && err.statusCode < 500 ? SIM_PAY_ERRORS.param('请求格式错误') : SIM_PAY_ERRORS.system()),
  );
  app.setNotFoundHandler((_req, reply) => answer(reply, SIM_PAY_ERRORS.notFound()));
  // a stopping server takes pending notifications with it, so no timer outlives a test
  app.addHook('onClose', async () => pay.stop());
}

/** WeChat Pay APIv3's JSAPI order, query, close, refund and certificate endpoints; register with the prefix `/v3`. */
export const payApiRoutes: FastifyPluginAsync<PayApiRouteOptions> = async (app, { pay, count: record }) => {
  actAsWechatPay(app, pay);
  const count = (name: string) => record?.(`v3/${name}`);

  app.post('/pay/transactions/jsapi', (req, reply) => {
    count('pay/transactions/jsapi');
    const body = parsePayBody(rawBody(req));
    return answer(reply, body.ok ? pay.prepay(body.value) : body);
  });

  app.get('/pay/transactions/out-trade-no/:outTradeNo', (req, reply) => {
    count('pay/transactions/out-trade-no');
    return answer(reply, pay.query((req.params as Params).outTradeNo!, mchidQuery(req)));
  });

  app.get('/pay/transactions/id/:transactionId', (req, reply) => {
    count('pay/transactions/id');
    return answer(reply, pay.query((req.params as Params).transactionId!, mchidQuery(req), true));
  });

  app.post('/pay/transactions/out-trade-no/:outTradeNo/close', (req, reply) => {
    count('pay/transactions/close');
    const body = parsePayBody(rawBody(req));
    if (!body.ok) return answer(reply, body);
    const failure = pay.close((req.params as Params).outTradeNo!, (body.value as Record<string, unknown> | null)?.mchid);
    return failure ? answer(reply, failure) : reply.code(204).send();
  });

  app.post('/refund/domestic/refunds', (req, reply) => {
    count('refund/domestic/refunds');
    const body = parsePayBody(rawBody(req));
    return answer(reply, body.ok ? pay.refund(body.value) : body);
  });

  app.get('/refund/domestic/refunds/:outRefundNo', (req, reply) => {
    count('refund/domestic/refunds/query');
    return answer(reply, pay.refundQuery((req.params as Params).outRefundNo!));
  });

  app.get('/certificates', (_req, reply) => {
    count('certificates');
    return answer(reply, pay.certificates());
  });
};
