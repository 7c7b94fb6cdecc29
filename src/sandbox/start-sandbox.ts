import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { Sandbox } from './sandbox.js';
import type { SandboxOptions } from './sandbox.options.js';
import { sandboxPlugin } from './sandbox.plugin.js';

export interface StartSandboxOptions extends SandboxOptions {
  host?: string;
  /** 0 (default) picks a free ephemeral port. */
  port?: number;
  /** serve over HTTPS with this key and certificate (PEM), as WeChat does */
  https?: { key: string | Buffer; cert: string | Buffer };
}

export interface SandboxServer {
  /** e.g. http://127.0.0.1:PORT (https:// with the `https` option), no trailing slash. */
  readonly url: string;
  readonly port: number;
  readonly sandbox: Sandbox;
  /** Closes the listener and its connections; state is kept. */
  stop(): Promise<void>;
  /** Listens again on the same port with the same state. */
  restart(): Promise<void>;
  /** Final stop; restart is no longer allowed. */
  close(): Promise<void>;
}

async function listen(
  sandbox: Sandbox,
  host: string,
  port: number,
  https?: StartSandboxOptions['https'],
): Promise<FastifyInstance> {
  const app = Fastify({
    ...(https ? { https } : {}),
    // off: request URLs carry app secrets and tokens
    logger: false,
    // stop() must not wait for keep-alive or in-flight (e.g. slow-fault) sockets
    forceCloseConnections: true,
  });
  await app.register(sandboxPlugin, { sandbox });
  try {
    await app.listen({ host, port });
  } catch (err) {
    await app.close();
    throw err;
  }
  return app;
}

/** Starts a standalone simulated WeChat API (by default on 127.0.0.1 and a free port). */
export async function startSandbox(options: StartSandboxOptions = {}): Promise<SandboxServer> {
  const { host = '127.0.0.1', port: wantedPort = 0, https, ...sandboxOptions } = options;
  const sandbox = new Sandbox(sandboxOptions);
  let app: FastifyInstance | undefined = await listen(sandbox, host, wantedPort, https);
  const port = (app.server.address() as AddressInfo).port;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  let closed = false;

  const stop = async () => {
    const current = app;
    app = undefined;
    if (current) await current.close();
  };

  return {
    url: `${https ? 'https' : 'http'}://${urlHost}:${port}`,
    port,
    sandbox,
    stop,
    async restart() {
      if (closed) throw new Error('sandbox server was closed; start a new one');
      if (app) return;
      // a Fastify instance cannot listen twice, so build a fresh one around the same Sandbox
      app = await listen(sandbox, host, port, https);
    },
    async close() {
      closed = true;
      await stop();
    },
  };
}
