import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
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
   * Path prefixes that never use the session: their requests skip it entirely (no store round
   * trip, no new session object), so a page's signing calls cost nothing extra.
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
  const fastify = app.getHttpAdapter().getInstance();
  const skip = (url: string) => sessionless.some((p) => url.startsWith(p));
  const options = {
    secret: setup.secret,
    cookieName,
    saveUninitialized: false,
    rolling: false,
    cookie: {
      httpOnly: true,
      sameSite: 'lax' as const,
      secure: setup.secure,
      path: '/',
      maxAge: setup.maxAgeMs ?? 7 * 24 * 3600_000,
    },
    ...(setup.redis ? { store: new RedisStore({ client: setup.redis, prefix: `${setup.keyPrefix}sess:` }) as never } : {}),
  };
  await withHooksSkipping(fastify, skip, async () => {
    await app.register(fastifyCookie);
    await app.register(fastifySession, options);
  });
}

type Hook = (this: unknown, request: FastifyRequest, reply: unknown, ...rest: unknown[]) => unknown;

/**
 * @fastify/cookie and @fastify/session add global hooks that parse cookies and build (or load) a
 * session on every request. Registered through this wrapper, each of their hooks steps aside on
 * the sessionless paths: no cookie parsing, no session object, no store round trip.
 */
async function withHooksSkipping(fastify: FastifyInstance, skip: (url: string) => boolean, register: () => Promise<void>): Promise<void> {
  const addHook = fastify.addHook;
  fastify.addHook = function (this: FastifyInstance, name: string, hook: Hook) {
    const wrapped = skippable(name, hook, skip);
    return (addHook as (...args: unknown[]) => FastifyInstance).call(this, name, wrapped);
  } as typeof fastify.addHook;
  try {
    await register();
  } finally {
    fastify.addHook = addHook;
  }
}

function skippable(name: string, hook: Hook, skip: (url: string) => boolean): Hook {
  if (name === 'onRequest') {
    return function (this: unknown, request, reply, done) {
      return skip(request.url) ? (done as () => void)() : hook.call(this, request, reply, done);
    };
  }
  if (name === 'onSend') {
    return function (this: unknown, request, reply, payload, done) {
      return skip(request.url) ? (done as (e: null, p: unknown) => void)(null, payload) : hook.call(this, request, reply, payload, done);
    };
  }
  return hook;
}
