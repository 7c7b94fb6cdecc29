import type { FastifyPluginAsync } from 'fastify';
import { controlRoutes } from './control.routes.js';
import { credentialRoutes } from './credential.routes.js';
import { SANDBOX_HEADER, sendJson } from './http-reply.js';
import { jweixinRoutes } from './jweixin.routes.js';
import { mediaControlRoutes } from './media-control.routes.js';
import { mediaRoutes } from './media.routes.js';
import { messageApiRoutes, messageControlRoutes } from './message-control.routes.js';
import { oauthControlRoutes } from './oauth-control.routes.js';
import { oauthRoutes } from './oauth.routes.js';
import { payControlRoutes } from './pay-control.routes.js';
import { payApiRoutes } from './pay/pay.routes.js';
import type { Sandbox } from './sandbox.js';

export interface SandboxPluginOptions {
  sandbox: Sandbox;
}

/**
 * Plain Fastify plugin serving the simulated WeChat API. Standalone: register at the root;
 * inside the main app: `fastify.register(sandboxPlugin, { prefix: '/sandbox', sandbox })`.
 */
export const sandboxPlugin: FastifyPluginAsync<SandboxPluginOptions> = async (app, opts) => {
  const sandbox = opts?.sandbox;
  if (!sandbox) throw new Error('sandboxPlugin: options.sandbox is required');

  // onSend covers normal replies, faults, errors and 404s alike (a dropped socket sends nothing)
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header(SANDBOX_HEADER, 'simulator');
    return payload;
  });

  app.setErrorHandler((err: { statusCode?: number }, _req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    // no err.message: it could echo request data
    return sendJson(reply, { error: 'sandbox request failed', statusCode: status }, status);
  });

  app.setNotFoundHandler((_req, reply) => sendJson(reply, { error: 'not found in the WeChat sandbox' }, 404));

  await app.register(credentialRoutes, { sandbox });
  await app.register(oauthRoutes, { sandbox });
  await app.register(mediaRoutes, { sandbox });
  await app.register(controlRoutes, { sandbox });
  await app.register(oauthControlRoutes, { sandbox });
  await app.register(mediaControlRoutes, { sandbox });
  await app.register(jweixinRoutes, { sandbox });
  await app.register(payApiRoutes, { pay: sandbox.pay, count: (e) => sandbox.counter.record(e), prefix: '/v3' });
  await app.register(payControlRoutes, { sandbox });
  await app.register(messageApiRoutes, { sandbox });
  await app.register(messageControlRoutes, { sandbox });
};
