import type { FastifyPluginAsync } from 'fastify';
import { wechatError } from './errors.js';
import { parseJsonObject, queryParam, runEndpoint, sendResult as answer, sendWechatError, useRawBodies } from './http-reply.js';
import type { Sandbox } from './sandbox.js';

export interface SandboxRouteOptions {
  sandbox: Sandbox;
}

const asString = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** cgi-bin/token, cgi-bin/stable_token, cgi-bin/ticket/getticket and cgi-bin/getcallbackip. */
export const credentialRoutes: FastifyPluginAsync<SandboxRouteOptions> = async (app, { sandbox }) => {
  useRawBodies(app);
  const state = sandbox.state;

  app.get('/cgi-bin/token', (req, reply) =>
    runEndpoint(sandbox, 'cgi-bin/token', req, reply, () =>
      answer(
        reply,
        state.classicToken({
          grant_type: queryParam(req, 'grant_type'),
          appid: queryParam(req, 'appid'),
          secret: queryParam(req, 'secret'),
        }),
      ),
    ),
  );

  app.post('/cgi-bin/stable_token', (req, reply) =>
    runEndpoint(sandbox, 'cgi-bin/stable_token', req, reply, () => {
      // JSON body only: query-string credentials are ignored like on the real endpoint
      const body = parseJsonObject(req.body);
      // WeChat: a body that is not a JSON object is a format error
      if (!body) return sendWechatError(reply, wechatError(47001));
      const result = state.stableToken(
        { grant_type: asString(body.grant_type), appid: asString(body.appid), secret: asString(body.secret) },
        body.force_refresh === true,
      );
      return answer(reply, result);
    }),
  );

  app.route({
    method: ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'],
    url: '/cgi-bin/stable_token',
    handler: (req, reply) =>
      runEndpoint(sandbox, 'cgi-bin/stable_token', req, reply, () => sendWechatError(reply, wechatError(43002))),
  });

  app.get('/cgi-bin/ticket/getticket', (req, reply) =>
    runEndpoint(sandbox, 'cgi-bin/ticket/getticket', req, reply, () =>
      answer(reply, state.getTicket(queryParam(req, 'access_token'), queryParam(req, 'type'))),
    ),
  );

  // WeChat's own check of a token that spends no token quota: the addresses its pushes come from
  app.get('/cgi-bin/getcallbackip', (req, reply) =>
    runEndpoint(sandbox, 'cgi-bin/getcallbackip', req, reply, () =>
      answer(reply, state.callbackIps(queryParam(req, 'access_token'))),
    ),
  );
};
