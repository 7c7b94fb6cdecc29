import type { RequestHandler, Request, Response } from 'express';
import type * as ExpressSession from 'express-session';
import { loadPeer } from '../../core/load-peer.js';
import { openedSession, rememberOpened } from './opened-sessions.js';
import type { SessionSettings } from './fastify-sessions.js';
import { orUnavailable, SESSION_KEYS, type SessionOpener, type WechatSession, type WechatSessionData } from './wechat-session.js';

type SessionModule = typeof ExpressSession & { default?: typeof ExpressSession.default };
type Session = ExpressSession.Session & Partial<WechatSessionData>;

/**
 * Sessions on Express through express-session, run only where a route asks for one (never as an
 * application-wide middleware). The cookie is express-session's own: with a Secure cookie it goes
 * out only over https, so behind a TLS-terminating proxy set Express's `trust proxy`.
 */
export class ExpressSessions implements SessionOpener {
  private constructor(
    private readonly middleware: RequestHandler,
    private readonly settings: SessionSettings,
  ) {}

  static async create(settings: SessionSettings): Promise<ExpressSessions> {
    const loaded = await loadPeer<SessionModule>('express-session', 'login on @nestjs/platform-express');
    const session = (loaded.default ?? loaded) as unknown as typeof ExpressSession.default & {
      Store: typeof ExpressSession.Store;
    };
    const { store } = settings;
    class BoundedStore extends session.Store {
      get(sid: string, done: (error: unknown, value?: ExpressSession.SessionData | null) => void): void {
        store.get(sid, (error, value) => done(error, value as ExpressSession.SessionData | undefined));
      }
      set(sid: string, data: ExpressSession.SessionData, done?: (error?: unknown) => void): void {
        store.set(sid, data, (error) => done?.(error));
      }
      destroy(sid: string, done?: (error?: unknown) => void): void {
        store.destroy(sid, (error) => done?.(error));
      }
    }
    const middleware = session({
      secret: settings.secret,
      name: settings.cookieName,
      store: new BoundedStore(),
      resave: false,
      saveUninitialized: false,
      rolling: false,
      cookie: { httpOnly: true, sameSite: 'lax', secure: settings.secure, path: '/', maxAge: settings.maxAgeMs },
    });
    return new ExpressSessions(middleware, settings);
  }

  async open(request: object, response: object): Promise<WechatSession> {
    const known = openedSession(request);
    if (known) return known;
    const req = request as Request;
    await orUnavailable(
      new Promise<void>((resolve, reject) => {
        this.middleware(req, response as Response, (error?: unknown) => (error ? reject(error) : resolve()));
      }),
    );
    const session = new ExpressWechatSession(req, response as Response, this.settings);
    rememberOpened(request, session);
    return session;
  }
}

const callback = (run: (done: (error?: unknown) => void) => void) =>
  orUnavailable(new Promise<void>((resolve, reject) => run((error) => (error ? reject(error) : resolve()))));

class ExpressWechatSession implements WechatSession {
  constructor(
    private readonly request: Request,
    private readonly response: Response,
    private readonly settings: SessionSettings,
  ) {}

  /** express-session replaces the request's session on regenerate and removes it on destroy. */
  private get current(): Session {
    const session = (this.request as { session?: Session }).session;
    if (!session) throw new Error('the session was destroyed');
    return session;
  }

  get<K extends keyof WechatSessionData>(key: K): WechatSessionData[K] | undefined {
    return (this.request as { session?: Session }).session?.[key] as WechatSessionData[K] | undefined;
  }

  set<K extends keyof WechatSessionData>(key: K, value: WechatSessionData[K] | undefined): void {
    if (value === undefined) delete this.current[key];
    else (this.current as Partial<WechatSessionData>)[key] = value;
  }

  setMaxAge(ms: number): void {
    this.current.cookie.maxAge = ms;
  }

  save(): Promise<void> {
    return callback((done) => this.current.save(done));
  }

  async regenerate(): Promise<void> {
    const kept: Partial<WechatSessionData> = {};
    for (const key of SESSION_KEYS) (kept as Record<string, unknown>)[key] = this.current[key];
    await callback((done) => this.current.regenerate(done));
    for (const [key, value] of Object.entries(kept))
      if (value !== undefined) (this.current as unknown as Record<string, unknown>)[key] = value;
    // the new session starts with the full lifetime, whatever the old one had
    this.setMaxAge(this.settings.maxAgeMs);
  }

  async destroy(): Promise<void> {
    await callback((done) => this.current.destroy(done));
    this.response.clearCookie(this.settings.cookieName, { path: '/' });
  }
}
