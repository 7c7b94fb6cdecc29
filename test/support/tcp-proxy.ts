import { once } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of a real server (Redis) that a test can break the ways networks break:
 * - cut(): close every connection and stop listening (connections are refused); restore() listens again;
 * - reset(): abort every open connection with a TCP reset, keep listening;
 * - stall(): keep every connection open but silently drop the bytes both ways (a half-open link,
 *   a failover, a NAT that forgot the flow), new connections included; resume() forwards again,
 *   and what was dropped stays lost.
 */
export class TcpProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private stalled = false;
  port = 0;
  /** bytes the clients sent on towards the server so far */
  bytesToServer = 0;

  constructor(
    private readonly targetPort: number,
    private readonly targetHost = '127.0.0.1',
  ) {}

  async start(): Promise<this> {
    await this.listen(0);
    return this;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.destroyAll(false);
    if (server) {
      server.close();
      await once(server, 'close');
    }
  }

  restore(): Promise<void> {
    return this.listen(this.port);
  }

  reset(): void {
    this.destroyAll(true);
  }

  stall(): void {
    this.stalled = true;
  }

  resume(): void {
    this.stalled = false;
  }

  /** connections open right now (client and upstream sides) */
  get connections(): number {
    return this.sockets.size;
  }

  private destroyAll(withReset: boolean): void {
    for (const socket of this.sockets) {
      if (withReset) socket.resetAndDestroy();
      else socket.destroy();
    }
    this.sockets.clear();
  }

  private async listen(port: number): Promise<void> {
    const server = createServer((client) => {
      const upstream = createConnection(this.targetPort, this.targetHost);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.on('data', (chunk: Buffer) => {
        if (this.stalled) return;
        this.bytesToServer += chunk.length;
        upstream.write(chunk);
      });
      upstream.on('data', (chunk) => {
        if (!this.stalled) client.write(chunk);
      });
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }
}
