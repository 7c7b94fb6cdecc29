import type { FastifyPluginAsync } from 'fastify';
import { SandboxAuthorizeError } from './authorize-request.js';
import type { SandboxRouteOptions } from './credential.routes.js';
import { parseJsonObject, sendJson, useRawBodies } from './http-reply.js';

/** Control API: approve or refuse an authorize url without a browser, like Sandbox.authorize(). */
export const oauthControlRoutes: FastifyPluginAsync<SandboxRouteOptions> = async (app, { sandbox }) => {
  useRawBodies(app);

  app.post('/__sandbox/oauth/authorize', (req, reply) => {
    const body = parseJsonObject(req.body);
    if (!body || typeof body.url !== 'string') {
      return sendJson(reply, { error: 'body must be a JSON object {url, user?, decision?}' }, 400);
    }
    const { url, user, decision } = body;
    if (user !== undefined && typeof user !== 'string') return sendJson(reply, { error: 'user must be a string' }, 400);
    if (decision !== undefined && decision !== 'allow' && decision !== 'deny') {
      return sendJson(reply, { error: 'decision must be allow or deny' }, 400);
    }
    try {
      return sendJson(reply, { redirect: sandbox.authorize(url, { user, decision }) });
    } catch (err) {
      if (err instanceof SandboxAuthorizeError) return sendJson(reply, { error: err.message, code: err.code }, 400);
      return sendJson(reply, { error: err instanceof Error ? err.message : 'invalid request' }, 400);
    }
  });
};
