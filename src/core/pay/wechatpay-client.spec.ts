import { createPublicKey, createVerify } from 'node:crypto';
import { FAKE_PLATFORM_PUBLIC_KEY, FAKE_PUBLIC_KEY_ID, signNotification } from '../../../test/support/fake-pay-http.js';
import { V4, V5_CERTIFICATES_BODY, V6_PRIVATE_KEY } from '../../../test/support/pay-vectors.js';
import type { HttpAnswer, Logger, PlainHttp } from '../ports.js';
import { apiV3KeyBytes, privateKeyFromPem } from './pay-crypto.js';
import { UNVERIFIED_ANSWER, WechatPayError } from './pay-errors.js';
import { endpointName, WechatPayClient } from './wechatpay-client.js';
import { CombinedKeys } from './wechatpay-verifier.js';

const NOW = Date.UTC(2026, 11, 7, 10);
const MCH = '1900000109';

/** An answer signed by the fake WeChat Pay (its public key is held under FAKE_PUBLIC_KEY_ID). */
const signed = (status: number, body: string | object): HttpAnswer => {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return { status, body: text, headers: signNotification(text, NOW) };
};
/** The same answer without WeChat Pay's signature headers. */
const unsigned = (status: number, body: string | object): HttpAnswer => ({ ...signed(status, body), headers: {} });

/** WeChat Pay at the HTTP seam: records each request as sent and gives the answers queued, in order. */
class ScriptedPay implements PlainHttp {
  readonly calls: { method: string; url: string; headers: Record<string, string>; body?: string }[] = [];
  readonly answers: HttpAnswer[] = [];

  async send(method: 'GET' | 'POST', url: string, headers: Record<string, string>, body?: string): Promise<HttpAnswer> {
    this.calls.push({ method, url, headers, body });
    const answer = this.answers.shift();
    if (!answer) throw new Error(`no answer queued for ${method} ${url}`);
    return answer;
  }
}

function world() {
  const http = new ScriptedPay();
  const warnings: string[] = [];
  const logger: Logger = { log: () => undefined, warn: (message) => void warnings.push(message), error: () => undefined };
  const merchant = {
    mchId: MCH,
    privateKey: privateKeyFromPem(V6_PRIVATE_KEY),
    certSerial: 'ABC123',
    apiV3Key: apiV3KeyBytes(V4.key),
    baseUrl: 'https://pay.test',
  };
  const keys = new CombinedKeys({ id: FAKE_PUBLIC_KEY_ID, key: FAKE_PLATFORM_PUBLIC_KEY });
  const client = new WechatPayClient(merchant, keys, http, () => NOW, logger);
  const answer = (...answers: HttpAnswer[]) => http.answers.push(...answers);
  return { client, http, warnings, answer };
}

/** Whether the call's Authorization header is the merchant's signature over the five lines of what was sent. */
function signedByMerchant(call: ScriptedPay['calls'][number]): boolean {
  const items = Object.fromEntries([...call.headers.authorization!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
  const path = call.url.replace('https://pay.test', '');
  const message = `${call.method}\n${path}\n${items.timestamp}\n${items.nonce_str}\n${call.body ?? ''}\n`;
  return (
    items.mchid === MCH &&
    items.serial_no === 'ABC123' &&
    items.timestamp === String(NOW / 1000) &&
    createVerify('RSA-SHA256').update(message).verify(createPublicKey(V6_PRIVATE_KEY), items.signature!, 'base64')
  );
}

/** The WechatPayError a call was refused with. */
async function refusal(call: Promise<unknown>): Promise<WechatPayError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WechatPayError);
  return error as WechatPayError;
}

describe('WechatPayClient: what it sends', () => {
  it('sends a POST with its JSON body as content-type application/json, signed over that body', async () => {
    const w = world();
    w.answer(signed(204, ''));
    await w.client.closeOrder('order_000001');
    const [call] = w.http.calls;
    expect(call).toMatchObject({
      method: 'POST',
      url: 'https://pay.test/v3/pay/transactions/out-trade-no/order_000001/close',
      body: `{"mchid":"${MCH}"}`,
      headers: { accept: 'application/json', 'content-type': 'application/json', 'user-agent': expect.any(String) },
    });
    expect(call!.headers.authorization).toMatch(/^WECHATPAY2-SHA256-RSA2048 /);
    expect(signedByMerchant(call!)).toBe(true);
  });

  it('sends a GET with no body at all and no content-type, signed over an empty body', async () => {
    const w = world();
    w.answer(signed(200, { out_trade_no: 'order 01', trade_state: 'NOTPAY' }));
    expect(await w.client.queryOrder('order 01')).toEqual({ out_trade_no: 'order 01', trade_state: 'NOTPAY' });
    const [call] = w.http.calls;
    expect(call).toMatchObject({
      method: 'GET',
      url: `https://pay.test/v3/pay/transactions/out-trade-no/order%2001?mchid=${MCH}`,
    });
    expect(call!.body).toBeUndefined();
    expect(call!.headers).not.toHaveProperty('content-type');
    expect(signedByMerchant(call!)).toBe(true);
  });
});

describe('WechatPayClient: what it believes', () => {
  it('answers nothing for a signed 204, or a signed 2xx with an empty body, without reading what follows a 204', async () => {
    const w = world();
    w.answer(signed(204, ''), signed(200, ''), signed(204, '{"trade_state":"SUCCESS"}'));
    expect(await w.client.queryOrder('order_000001')).toBeUndefined();
    expect(await w.client.queryOrder('order_000001')).toBeUndefined();
    expect(await w.client.queryOrder('order_000001')).toBeUndefined();
  });

  it('refuses a signed 2xx whose body is not JSON with UNREADABLE_ANSWER', async () => {
    const w = world();
    w.answer(signed(200, '<html>'));
    expect(await refusal(w.client.queryRefund('R1'))).toMatchObject({
      payCode: 'UNREADABLE_ANSWER',
      httpStatus: 200,
      endpoint: 'refund/domestic/refunds/:id',
    });
  });

  it('believes no 2xx that WeChat Pay did not sign, and says that such a refusal is not verified', async () => {
    const w = world();
    w.answer(unsigned(200, { prepay_id: 'wx_forged' }));
    const error = await refusal(w.client.queryOrder('order_000001'));
    expect(error).toMatchObject({ payCode: UNVERIFIED_ANSWER, httpStatus: 200, verified: false });
    expect(w.warnings).toEqual([expect.stringContaining('not believed (missing-headers)')]);
  });

  // a WechatPayError is taken as WeChat Pay's signed word only when its maker says so
  it('makes a WechatPayError unverified unless told it was verified', () => {
    expect(new WechatPayError('ORDER_NOT_EXIST', 404, 'pay/transactions/out-trade-no/:id').verified).toBe(false);
    expect(new WechatPayError('ORDER_NOT_EXIST', 404, 'pay/transactions/out-trade-no/:id', true).verified).toBe(true);
  });

  it('refuses every status outside 200-299 with its code, verified only when the refusal was signed', async () => {
    const w = world();
    w.answer(
      signed(404, { code: 'ORDER_NOT_EXIST', message: 'no such order' }),
      signed(300, { code: 'MULTIPLE_CHOICES', message: 'elsewhere' }),
      unsigned(500, { code: 'SYSTEM_ERROR', message: 'busy' }),
    );
    expect(await refusal(w.client.queryOrder('order_000001'))).toMatchObject({
      payCode: 'ORDER_NOT_EXIST',
      httpStatus: 404,
      endpoint: 'pay/transactions/out-trade-no/:id',
      verified: true,
      body: { statusCode: 502, code: 'WECHAT_PAY_ERROR', payCode: 'ORDER_NOT_EXIST' },
    });
    expect(await refusal(w.client.queryOrder('order_000001'))).toMatchObject({ payCode: 'MULTIPLE_CHOICES', httpStatus: 300 });
    expect(await refusal(w.client.queryOrder('order_000001'))).toMatchObject({
      payCode: 'SYSTEM_ERROR',
      httpStatus: 500,
      verified: false,
    });
    expect(w.warnings[2]).toMatch(/answered 500 SYSTEM_ERROR \(unsigned\): busy$/);
  });

  it("reads a refusal's code only when it is 1 to 64 of A-Z and _, else names it HTTP_<status>", async () => {
    const w = world();
    const codes = ['x.PARAM_ERROR', 'PARAM_ERROR.x', 'param_error', 'A'.repeat(65), 42, ''];
    for (const body of [...codes.map((code) => ({ code, message: 'bad' })), 'not json']) {
      w.answer(signed(400, body));
      expect((await refusal(w.client.queryOrder('order_000001'))).payCode).toBe('HTTP_400');
    }
    w.answer(signed(400, { code: 'A'.repeat(64) }));
    expect((await refusal(w.client.queryOrder('order_000001'))).payCode).toBe('A'.repeat(64));
  });

  it("logs at most 200 characters of WeChat Pay's message, never passing it to the caller", async () => {
    const w = world();
    w.answer(signed(400, { code: 'PARAM_ERROR', message: 'm'.repeat(300) }));
    const error = await refusal(w.client.queryOrder('order_000001'));
    expect(w.warnings).toEqual([`WeChat Pay pay/transactions/out-trade-no/:id answered 400 PARAM_ERROR: ${'m'.repeat(200)}`]);
    expect(error.message).not.toMatch(/mmm/);
  });
});

describe('WechatPayClient: platform certificates', () => {
  it("decrypts wechatpay-java's download with the APIv3 key into keys by serial (V5)", async () => {
    const w = world();
    w.answer(signed(200, V5_CERTIFICATES_BODY));
    const certificates = await w.client.downloadCertificates();
    expect([...certificates!.keys()]).toEqual(['5DEA10EF55877E3CF6C33255C2E7DEFFF7E427EC']);
    expect(certificates!.get('5DEA10EF55877E3CF6C33255C2E7DEFFF7E427EC')!.asymmetricKeyType).toBe('rsa');
    expect(w.http.calls).toMatchObject([{ method: 'GET', url: 'https://pay.test/v3/certificates?algorithm_type=RSA' }]);
    expect(w.http.calls[0]!.body).toBeUndefined();
  });

  it('answers undefined for a merchant without certificates: 404 RESOURCE_NOT_EXISTS, and only that', async () => {
    const w = world();
    w.answer(
      signed(404, { code: 'RESOURCE_NOT_EXISTS', message: 'no certificates' }),
      signed(404, { code: 'NOT_FOUND', message: 'no route' }),
      signed(400, { code: 'RESOURCE_NOT_EXISTS', message: 'odd' }),
    );
    expect(await w.client.downloadCertificates()).toBeUndefined();
    expect(await refusal(w.client.downloadCertificates())).toMatchObject({ payCode: 'NOT_FOUND', endpoint: 'certificates' });
    expect(await refusal(w.client.downloadCertificates())).toMatchObject({ payCode: 'RESOURCE_NOT_EXISTS', httpStatus: 400 });
  });

  it('refuses any status but 200, even a signed one, rather than reading it as no certificates', async () => {
    const w = world();
    w.answer(signed(500, { code: 'SYSTEM_ERROR', message: 'busy' }), signed(201, { data: [] }));
    expect(await refusal(w.client.downloadCertificates())).toMatchObject({ payCode: 'SYSTEM_ERROR', verified: true });
    expect(await refusal(w.client.downloadCertificates())).toMatchObject({ payCode: 'HTTP_201', httpStatus: 201 });
  });

  it('believes no download that is not signed by a key held or one of the certificates it brings', async () => {
    const w = world();
    w.answer(unsigned(200, V5_CERTIFICATES_BODY));
    expect(await refusal(w.client.downloadCertificates())).toMatchObject({
      payCode: UNVERIFIED_ANSWER,
      endpoint: 'certificates',
    });
  });
});

describe('endpointName', () => {
  it('labels a path without its leading /v3/, its query or the order or refund number in it', () => {
    expect(endpointName(`/v3/pay/transactions/out-trade-no/order_000001?mchid=${MCH}`)).toBe('pay/transactions/out-trade-no/:id');
    expect(endpointName('/v3/pay/transactions/out-trade-no/order_000001/close')).toBe('pay/transactions/out-trade-no/:id/close');
    expect(endpointName('/v3/refund/domestic/refunds/R1')).toBe('refund/domestic/refunds/:id');
    expect(endpointName('/v3/refund/domestic/refunds')).toBe('refund/domestic/refunds');
    expect(endpointName('/v3/certificates?algorithm_type=RSA')).toBe('certificates');
    expect(endpointName('/v3/certificates?')).toBe('certificates');
  });

  it('drops /v3/ only where the path starts with it', () => {
    expect(endpointName('/proxy/v3/certificates')).toBe('/proxy/v3/certificates');
  });
});
