import type { FastifyPluginAsync } from 'fastify';
import { configSignature, domainAdmits, signedPartOf } from './config-check.js';
import type { SandboxRouteOptions } from './credential.routes.js';
import { parseJsonObject, sendJson, useRawBodies } from './http-reply.js';
import { JWEIXIN_SCRIPT } from './jweixin-script.js';
import { paySheetRoutes } from './pay-sheet.routes.js';

/** Fields every answer of the simulator's verify route carries: any page may call it (text/plain, no preflight). */
const OPEN = { 'access-control-allow-origin': '*', 'cache-control': 'no-store' };

/**
 * The JS-SDK simulator: `GET /jweixin.js` (a stand-in for WeChat's jweixin-1.6.0.js in an ordinary
 * browser) and the routes it calls. `wx.config` is checked here the way WeChat checks it, against
 * the sandbox's current ticket of the account; the simulated uploads register media the sandbox's
 * media/get then serves; `wx.chooseWXPay` and `WeixinJSBridge` pay through the pay sheet's routes.
 */
export const jweixinRoutes: FastifyPluginAsync<SandboxRouteOptions> = async (app, { sandbox }) => {
  useRawBodies(app);

  app.get('/jweixin.js', (_req, reply) =>
    reply.headers({ ...OPEN, 'content-type': 'text/javascript; charset=utf-8' }).send(JWEIXIN_SCRIPT),
  );

  app.post('/__jssdk/verify', (req, reply) => {
    reply.headers(OPEN);
    const body = parseJsonObject(req.body);
    const { appId, timestamp, nonceStr, signature, url } = body ?? {};
    const account = sandbox.accounts.find((a) => a.appId === appId);
    if (!account) return sendJson(reply, { errMsg: 'config:invalid appId' });
    const host = typeof url === 'string' ? hostOf(url) : undefined;
    if (typeof url !== 'string' || host === undefined || !domainAdmits(host, account.jsDomains ?? []))
      return sendJson(reply, { errMsg: 'config:invalid url domain' });
    const ticket = sandbox.currentTicket(account.appId, 'jsapi');
    const expected =
      ticket !== undefined && typeof nonceStr === 'string' && typeof timestamp === 'number'
        ? configSignature({ ticket, nonceStr, timestamp, url: signedPartOf(url) })
        : undefined;
    return sendJson(reply, {
      errMsg: expected !== undefined && expected === signature ? 'config:ok' : 'config:invalid signature',
    });
  });

  // chooseImage/uploadImage and startRecord/stopRecord/uploadVoice end here: a media id the sandbox then serves
  app.post('/__jssdk/upload', (req, reply) => {
    reply.headers(OPEN);
    const body = parseJsonObject(req.body);
    const { appId, type } = body ?? {};
    if (typeof appId !== 'string' || !sandbox.accounts.some((a) => a.appId === appId) || (type !== 'voice' && type !== 'image'))
      return sendJson(reply, { errMsg: 'upload:fail invalid parameters' });
    const serverId = sandbox.registerMedia(appId, { type, size: type === 'voice' ? 6_000 : 20_000 });
    return sendJson(reply, { errMsg: `upload${type === 'voice' ? 'Voice' : 'Image'}:ok`, serverId });
  });

  await app.register(paySheetRoutes, { sandbox });
};

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLowerCase() || undefined;
  } catch {
    return undefined;
  }
}
