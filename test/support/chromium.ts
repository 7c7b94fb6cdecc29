import { type Browser, chromium } from 'playwright-core';
import { freePort } from './processes.js';
import type { RunningApp } from './app.js';

/** Debian's Chromium unless CHROMIUM_PATH names another binary. */
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Headless Chromium with the flags this machine needs, and nothing that calls out. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** The service in sandbox mode in this process, on a fixed free port (the mounted simulator needs one). */
export async function startSandboxModeService(): Promise<RunningApp> {
  const port = await freePort();
  const { createApp } = await import('../../src/service/bootstrap.js');
  const { app, config } = await createApp({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: String(port),
    WECHAT_SANDBOX: 'true',
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    SESSION_SECRET: 'browser-test-session-secret-0123456789',
  });
  await app.listen(port, '127.0.0.1');
  return { app, config, url: `http://127.0.0.1:${port}`, close: () => app.close() };
}
