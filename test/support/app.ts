import type { INestApplication } from '@nestjs/common';
import type { EnvOverrides } from '../../src/service/app.module.js';
import { createApp, type CreateAppOptions } from '../../src/service/bootstrap.js';
import type { AppConfig } from '../../src/service/config/app-config.js';
import { REDIS_URL } from './redis-keys.js';

export interface SandboxAccount {
  appId: string;
  appSecret: string;
}

/** Environment for a service that talks to a test sandbox over HTTP. */
export function serviceEnv(sandboxUrl: string, account: SandboxAccount, extra: EnvOverrides = {}): EnvOverrides {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    WECHAT_SANDBOX: 'false',
    WECHAT_APP_ID: account.appId,
    WECHAT_APP_SECRET: account.appSecret,
    WECHAT_API_BASE_URL: sandboxUrl,
    WECHAT_OPEN_BASE_URL: sandboxUrl,
    REDIS_URL,
    SESSION_SECRET: 'test-session-secret-of-at-least-32-chars',
    ...extra,
  };
}

export interface RunningApp {
  app: INestApplication;
  config: AppConfig;
  url: string;
  close(): Promise<void>;
}

/** The platforms every route suite runs on: `describe.each(PLATFORMS)`. */
export const PLATFORMS = ['fastify', 'express'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** Starts the service in this process on an ephemeral port, on Fastify unless told otherwise. */
export async function startApp(env: EnvOverrides, platform: Platform = 'fastify', port = 0): Promise<RunningApp> {
  const { app, config } = await createApp(env, { platform } satisfies CreateAppOptions);
  await app.listen(port, '127.0.0.1');
  const address = app.getHttpServer().address();
  if (!address || typeof address !== 'object') throw new Error('no address');
  return { app, config, url: `http://127.0.0.1:${address.port}`, close: () => app.close() };
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, text, json: safeJson(text), headers: response.headers };
}

export async function getJson(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { headers });
  const text = await response.text();
  return { status: response.status, text, json: safeJson(text), headers: response.headers };
}

function safeJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
