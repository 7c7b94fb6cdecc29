import { fastifyCookie } from '@fastify/cookie';
import fastifySession, { type FastifySessionObject } from '@fastify/session';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { openedSession, rememberOpened } from './opened-sessions.js';
import type { CallbackSessionStore } from './session-stores.js';
import { orUnavailable, SESSION_KEYS, type SessionOpener, type WechatSession, type WechatSessionData } from './wechat-session.js';

export interface SessionSettings {
  /** signs the cookie; at least 32 characters */
  secret: string;
  cookieName: string;
  /** lifetime of a session, ms */
  maxAgeMs: number;
  /** the cookie is sent over https only */
  secure: boolean;
  store: CallbackSessionStore;
}

type DecryptSession = (sessionId: string, request: FastifyRequest, done: (error?: unknown) => void) => void;
type Session = FastifySessionObject;

declare module 'fastify' {
  // what the package keeps in @fastify/session's sessions (an augmentation: it must be an interface)
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Session extends WechatSessionData {}
}

/**
 * Sessions on Fastify through @fastify/session, opened only where a route asks for one.
 * @fastify/cookie and @fastify/session are registered in a scope of their own that holds no
 * route, so their request hooks never run; a session is loaded through the plugin's
 * `decryptSession` when the guard or an OAuth route opens it, and written explicitly.
 */
export class FastifySessions implements SessionOpener {
  private decrypt?: DecryptSession;

  constructor(private readonly settings: SessionSettings) {}

  register(fastify: FastifyInstance): void {
    const { secret, cookieName, maxAgeMs, secure, store } = this.settings;
    void fastify.register(async (scope) => {
      await scope.register(fastifyCookie);
      await scope.register(fastifySession, {
        secret,
        cookieName,
        store: store as never,
        saveUninitialized: false,
        rolling: false,
        cookie: { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: maxAgeMs },
      });
      this.decrypt = (sessionId, request, done) => scope.decryptSession(sessionId, request, done);
    });
  }

  async open(req: object, res: object): Promise<WechatSession> {
    const known = openedSession(req);
    if (known) return known;
    const request = req as FastifyRequest;
    const reply = res as FastifyReply;
    const decrypt = this.decrypt;
    if (!decrypt) throw new Error('WeChat sessions are not ready: the application has not been initialised');
    const signedId = fastifyCookie.parse(request.headers.cookie ?? '')[this.settings.cookieName] ?? '';
    // an unknown, unsigned or expired id gives a new, empty session
    await orUnavailable(new Promise<void>((resolve, reject) => decrypt(signedId, request, (e) => (e ? reject(e) : resolve()))));
    const session = new FastifyWechatSession(request, reply, this.settings);
    rememberOpened(request, session);
    return session;
  }
}

class FastifyWechatSession implements WechatSession {
  constructor(
    private readonly request: FastifyRequest,
    private readonly reply: FastifyReply,
    private readonly settings: SessionSettings,
  ) {}

  /** @fastify/session swaps the request's session object on regenerate and drops it on destroy. */
  private get current(): Session {
    const session = (this.request as { session?: Session | null }).session;
    if (!session) throw new Error('the session was destroyed');
    return session;
  }

  get<K extends keyof WechatSessionData>(key: K): WechatSessionData[K] | undefined {
    return (this.request as { session?: Session | null }).session?.get(key) as WechatSessionData[K] | undefined;
  }

  set<K extends keyof WechatSessionData>(key: K, value: WechatSessionData[K] | undefined): void {
    this.current.set(key, value as Session[K]);
  }

  setMaxAge(ms: number): void {
    this.current.cookie.maxAge = ms;
  }

  async save(): Promise<void> {
    await orUnavailable(this.current.save());
    const { cookie } = this.current;
    this.setCookie(this.current.encryptedSessionId, cookie.expires instanceof Date ? cookie.expires : undefined);
  }

  async regenerate(): Promise<void> {
    // the same data under a new id (@fastify/session keeps only the keys it is given)
    await orUnavailable(this.current.regenerate([...SESSION_KEYS]));
    // the new session starts with the full lifetime, whatever the old one had
    this.setMaxAge(this.settings.maxAgeMs);
  }

  async destroy(): Promise<void> {
    await orUnavailable(this.current.destroy());
    this.setCookie('', new Date(0));
  }

  /** Sets the session cookie, replacing one this answer already carries: a response sets each cookie once. */
  private setCookie(value: string, expires: Date | undefined): void {
    const { cookieName, secure } = this.settings;
    const cookie = fastifyCookie.serialize(cookieName, value, { path: '/', httpOnly: true, sameSite: 'lax', secure, expires });
    const before = this.reply.getHeader('set-cookie');
    const others = (Array.isArray(before) ? before : before === undefined ? [] : [String(before)]).filter(
      (header) => !header.startsWith(`${cookieName}=`),
    );
    this.reply.removeHeader('set-cookie');
    this.reply.header('set-cookie', [...others, cookie]);
  }
}
