import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from 'fastify';
import type { AppKind } from './oauth-state.js';
import type { Sandbox } from './sandbox.js';
import { AUTHORIZE_ERROR, checkAuthorize, completeAuthorize, type AuthorizeOutcome } from './authorize-request.js';
import { consentPage, errorPage } from './consent-page.js';
import type { SandboxRouteOptions } from './credential.routes.js';
import {
  JSON_TYPE,
  queryParam,
  runEndpoint,
  sendHtml,
  sendJson,
  sendResult as answer,
  sendWechatError,
  useRawBodies,
} from './http-reply.js';

function redirectOrError(reply: FastifyReply, outcome: AuthorizeOutcome) {
  return outcome.ok ? reply.redirect(outcome.redirect, 302) : sendHtml(reply, errorPage(outcome));
}

/**
 * JSON.stringify writes control characters as \u00XX; WeChat has sent them raw inside strings.
 * Walk the escapes left to right (so an escaped backslash is never split) and unescape only those.
 */
export function jsonWithRawControls(body: unknown): string {
  return JSON.stringify(body).replace(/\\(?:u00([01][0-9a-f])|.)/g, (escape, hex: string | undefined) =>
    hex === undefined ? escape : String.fromCharCode(parseInt(hex, 16)),
  );
}

/** connect/oauth2/authorize (+ the consent page's confirm), sns/oauth2/*, sns/userinfo, sns/auth. */
export const oauthRoutes: FastifyPluginAsync<SandboxRouteOptions> = async (app, { sandbox }) => {
  useRawBodies(app);
  authorizeRoutes(app, sandbox);
  webTokenRoutes(app, sandbox);
};

/** The authorize page (a consent page for snsapi_userinfo, straight back for snsapi_base) and its confirm. */
function authorizeRoutes(app: FastifyInstance, sandbox: Sandbox): void {
  const oauth = sandbox.oauth;

  // the browser keeps #wechat_redirect to itself, so only the query arrives here
  app.get('/connect/oauth2/authorize', (req, reply) =>
    runEndpoint(sandbox, 'connect/oauth2/authorize', req, reply, () => {
      const check = checkAuthorize((name) => queryParam(req, name), oauth);
      if (!check.ok) return sendHtml(reply, errorPage(check));
      const { request } = check;
      // snsapi_base is silent: no page, straight back with a code
      if (request.scope === 'snsapi_base') {
        return redirectOrError(reply, completeAuthorize(oauth, request, 'allow', request.user));
      }
      const users = sandbox.options.users;
      return sendHtml(reply, consentPage({ request, users, openidOf: (key) => oauth.openidOf(request.appId, key) }));
    }),
  );

  /** The consent (or QR) page's form: the hidden fields come back from the browser, validated all over again. */
  const confirm = (body: unknown, page: AppKind) => (reply: FastifyReply) => {
    const form = new URLSearchParams(typeof body === 'string' ? body : '');
    const check = checkAuthorize((name) => (name === 'response_type' ? 'code' : (form.get(name) ?? undefined)), oauth, page);
    if (!check.ok) return sendHtml(reply, errorPage(check));
    const user = form.get('user');
    if (user === null) {
      return sendHtml(reply, errorPage({ ok: false, code: AUTHORIZE_ERROR.unknownUser, message: 'no test user chosen' }));
    }
    return redirectOrError(reply, completeAuthorize(oauth, check.request, form.get('decision'), user));
  };

  // a website application's QR login: a desktop page where a test user "scans"
  app.get('/connect/qrconnect', (req, reply) =>
    runEndpoint(sandbox, 'connect/qrconnect', req, reply, () => {
      const check = checkAuthorize((name) => queryParam(req, name), oauth, 'website');
      if (!check.ok) return sendHtml(reply, errorPage(check));
      const { request } = check;
      const users = sandbox.options.users;
      return sendHtml(reply, consentPage({ request, users, openidOf: (key) => oauth.openidOf(request.appId, key) }));
    }),
  );

  app.post('/connect/qrconnect/confirm', (req, reply) =>
    runEndpoint(sandbox, 'connect/qrconnect/confirm', req, reply, () => confirm(req.body, 'website')(reply)),
  );

  app.post('/connect/oauth2/authorize/confirm', (req, reply) =>
    runEndpoint(sandbox, 'connect/oauth2/authorize/confirm', req, reply, () => confirm(req.body, 'account')(reply)),
  );
}

/** The web access_token: the code exchange, its refresh, the profile and the token check. */
function webTokenRoutes(app: FastifyInstance, sandbox: Sandbox): void {
  const oauth = sandbox.oauth;

  app.get('/sns/oauth2/access_token', (req, reply) =>
    runEndpoint(sandbox, 'sns/oauth2/access_token', req, reply, () =>
      answer(
        reply,
        oauth.exchangeCode({
          appid: queryParam(req, 'appid'),
          secret: queryParam(req, 'secret'),
          code: queryParam(req, 'code'),
          grant_type: queryParam(req, 'grant_type'),
        }),
      ),
    ),
  );

  app.get('/sns/oauth2/refresh_token', (req, reply) =>
    runEndpoint(sandbox, 'sns/oauth2/refresh_token', req, reply, () =>
      answer(
        reply,
        oauth.refresh({
          appid: queryParam(req, 'appid'),
          grant_type: queryParam(req, 'grant_type'),
          refresh_token: queryParam(req, 'refresh_token'),
        }),
      ),
    ),
  );

  app.get('/sns/userinfo', (req, reply) =>
    runEndpoint(sandbox, 'sns/userinfo', req, reply, () => {
      const result = oauth.userInfo(queryParam(req, 'access_token'), queryParam(req, 'openid'), queryParam(req, 'lang'));
      if (!result.ok) return sendWechatError(reply, result);
      if (!result.user.rawControlChar) return sendJson(reply, result.body);
      return reply.code(200).type(JSON_TYPE).send(jsonWithRawControls(result.body));
    }),
  );

  app.get('/sns/auth', (req, reply) =>
    runEndpoint(sandbox, 'sns/auth', req, reply, () =>
      answer(reply, oauth.authCheck(queryParam(req, 'access_token'), queryParam(req, 'openid'))),
    ),
  );
}
