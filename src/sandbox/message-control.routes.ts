import type { FastifyPluginAsync } from 'fastify';
import type { SandboxRouteOptions } from './credential.routes.js';
import { wechatError } from './errors.js';
import { parseJsonObject, queryParam, runEndpoint, sendJson, sendResult, sendWechatError, useRawBodies } from './http-reply.js';
import { SandboxMessageError, type SandboxPushRequest } from './messages/message-simulator.js';

const PUSH_FIELDS = new Set(['appId', 'user', 'kind', 'content', 'eventKey', 'mode', 'url']);

/** cgi-bin/message/custom/send: the account's current access_token, an openid of the account, the 48-hour window. */
export const messageApiRoutes: FastifyPluginAsync<SandboxRouteOptions> = async (app, { sandbox }) => {
  useRawBodies(app);

  app.post('/cgi-bin/message/custom/send', (req, reply) =>
    runEndpoint(sandbox, 'cgi-bin/message/custom/send', req, reply, () => {
      const check = sandbox.state.checkAccessToken(queryParam(req, 'access_token'));
      if (!check.ok) return sendWechatError(reply, check);
      if (typeof req.body !== 'string' || req.body.trim() === '')
        return sendWechatError(reply, wechatError(44002, 'empty post data'));
      const body = parseJsonObject(req.body);
      if (!body) return sendWechatError(reply, wechatError(47001));
      const result = sandbox.messages.sendCustom(check.appId, body);
      // success answers carry errcode 0 without a rid, like WeChat's {"errcode":0,"errmsg":"ok"}
      return sendResult(reply, result);
    }),
  );
};

/**
 * Control API of the message simulator: `POST /__sandbox/messages/push` plays a user's message or event and pushes it
 * to the given url (like sandbox.pushMessage()), `GET /__sandbox/messages/pushes/:appId` lists the pushes,
 * `GET /__sandbox/messages/custom/:appId` the customer-service messages. Never reveals a token or key.
 */
export const messageControlRoutes: FastifyPluginAsync<SandboxRouteOptions> = async (app, { sandbox }) => {
  useRawBodies(app);
  app.addHook('onClose', async () => sandbox.messages.stop());

  const knownApp = (appId: string) => sandbox.options.accounts.some((a) => a.appId === appId);

  app.post('/__sandbox/messages/push', async (req, reply) => {
    const body = parseJsonObject(req.body);
    if (!body) {
      return sendJson(reply, { error: 'body must be a JSON object {appId?, user?, kind, content?, eventKey?, mode?, url}' }, 400);
    }
    const unknown = Object.keys(body).filter((k) => !PUSH_FIELDS.has(k));
    if (unknown.length) return sendJson(reply, { error: `unknown fields: ${unknown.join(', ')}` }, 400);
    try {
      const push = await sandbox.pushMessage(body as unknown as SandboxPushRequest);
      return sendJson(reply, { push });
    } catch (err) {
      if (err instanceof SandboxMessageError) return sendJson(reply, { error: err.message }, 400);
      throw err;
    }
  });

  app.get('/__sandbox/messages/pushes/:appId', (req, reply) => {
    const { appId } = req.params as { appId: string };
    if (!knownApp(appId)) return sendJson(reply, { error: 'unknown appId' }, 404);
    return sendJson(reply, { pushes: sandbox.messages.pushes(appId) });
  });

  app.get('/__sandbox/messages/custom/:appId', (req, reply) => {
    const { appId } = req.params as { appId: string };
    if (!knownApp(appId)) return sendJson(reply, { error: 'unknown appId' }, 404);
    return sendJson(reply, { messages: sandbox.messages.customMessages(appId) });
  });
};
