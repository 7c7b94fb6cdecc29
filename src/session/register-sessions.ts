import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { RedisStore } from 'connect-redis';
import type { RedisClient } from '../wechat/credentials/cache-manager.store.js';
import './session.types.js';

export interface SessionSetup {
  /** signs the cookie; at least 32 characters */
  secret: string;
  /** the cookie is sent over https only (set when the public origin is https) */
  secure: boolean;
  /** Redis client to keep sessions in (shared by the cluster); null keeps them in this process */
  redis: RedisClient | null;
  /** Redis keys are `${keyPrefix}sess:<id>` */
  keyPrefix: string;
  cookieName?: string;
  /** lifetime of a session, ms; default 7 days */
  maxAgeMs?: number;
  /**
   * Path prefixes that never use the session: their requests skip loading it, so a page's
   * signing calls cost no session-store round trip even when the browser sends the cookie.
   */
  sessionlessPaths?: string[];
}

export const DEFAULT_SESSIONLESS_PATHS = ['/wechat/jssdk/', '/health', '/metrics', '/sandbox/'];
export const DEFAULT_SESSION_COOKIE = 'wechat_sid';

/**
 * Registers @fastify/cookie and @fastify/session on the Nest app: server-side sessions, cookie
 * HttpOnly + SameSite=Lax (+ Secure on https), stored in Redis when a client is given.
 */
export async function registerSessions(app: NestFastifyApplication, setup: SessionSetup): Promise<void> {
  if (setup.secret.length < 32) throw new Error('registerSessions: the session secret must be at least 32 characters');
  const cookieName = setup.cookieName ?? DEFAULT_SESSION_COOKIE;
  const sessionless = setup.sessionlessPaths ?? DEFAULT_SESSIONLESS_PATHS;
  await app.register(fastifyCookie);
  // Runs after the cookie parser and before the session loader (hooks run in registration order).
  app.getHttpAdapter().getInstance().addHook('onRequest', async (request) => {
    if (request.cookies[cookieName] !== undefined && sessionless.some((p) => request.url.startsWith(p))) {
      delete request.cookies[cookieName];
    }
  });
  await app.register(fastifySession, {
    secret: setup.secret,
    cookieName,
    saveUninitialized: false,
    rolling: false,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: setup.secure,
      path: '/',
      maxAge: setup.maxAgeMs ?? 7 * 24 * 3600_000,
    },
    ...(setup.redis
      ? { store: new RedisStore({ client: setup.redis, prefix: `${setup.keyPrefix}sess:` }) as never }
      : {}),
  });
}
