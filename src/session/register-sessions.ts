import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
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
   * Path prefixes of routes that never use the session: the cookie and session hooks are not
   * attached to them (no cookie parsing, no store round trip), so a page's signing calls cost
   * nothing extra. Requests that match no route (404) skip them too.
   */
  sessionlessPaths?: string[];
}

export const DEFAULT_SESSIONLESS_PATHS = ['/wechat/jssdk/', '/health', '/metrics', '/sandbox/'];
export const DEFAULT_SESSION_COOKIE = 'wechat_sid';

/**
 * Registers @fastify/cookie and @fastify/session on the Nest app: server-side sessions, cookie
 * HttpOnly + SameSite=Lax (+ Secure on https), stored in Redis when a client is given. Call it
 * before `app.init()`/`listen()`: it serves the routes registered after it.
 */
export async function registerSessions(app: NestFastifyApplication, setup: SessionSetup): Promise<void> {
  if (setup.secret.length < 32) throw new Error('registerSessions: the session secret must be at least 32 characters');
  // The hooks attach to routes registered afterwards; Nest registers its routes in init().
  if ((app as unknown as { isInitialized?: boolean }).isInitialized === true) {
    throw new Error('registerSessions: call it before app.init() / app.listen(), so the routes get their sessions');
  }
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
  await withHooksOnSessionRoutes(fastify, skip, async () => {
    await app.register(fastifyCookie);
    await app.register(fastifySession, options);
  });
}

type Hook = (...args: never[]) => unknown;
// Hooks of the application rather than of requests: these stay global.
const APPLICATION_HOOKS = new Set(['onRoute', 'onRegister', 'onReady', 'onListen', 'onClose', 'preClose']);

/**
 * @fastify/cookie and @fastify/session add global request hooks that parse cookies and build
 * (or load) a session on every request. Registered through this wrapper, their request hooks
 * are attached to each route registered afterwards except the sessionless ones, so a signing
 * request runs none of them (not even a check whether to skip).
 */
async function withHooksOnSessionRoutes(fastify: FastifyInstance, skip: (url: string) => boolean, register: () => Promise<void>): Promise<void> {
  const captured = new Map<string, Hook[]>();
  const addHook = fastify.addHook;
  fastify.addHook = function (this: FastifyInstance, name: string, hook: Hook) {
    if (APPLICATION_HOOKS.has(name)) return (addHook as (...args: unknown[]) => FastifyInstance).call(this, name, hook);
    captured.set(name, [...(captured.get(name) ?? []), hook]);
    return this;
  } as typeof fastify.addHook;
  try {
    await register();
  } finally {
    fastify.addHook = addHook;
  }
  fastify.addHook('onRoute', (route) => {
    if (skip(route.url)) return;
    const options = route as unknown as Record<string, Hook | Hook[] | undefined>;
    for (const [name, hooks] of captured) {
      const own = options[name];
      options[name] = [...hooks, ...(own === undefined ? [] : Array.isArray(own) ? own : [own])];
    }
  });
}
