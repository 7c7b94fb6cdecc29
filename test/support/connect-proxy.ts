import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A forward proxy that only speaks CONNECT, on loopback, as an egress proxy does: it records each
 * tunnel's target and the bytes the client sent through it, and, with `credentials`, asks for
 * `Proxy-Authorization: Basic` (407 otherwise). Anything but CONNECT gets 405.
 */
export class ConnectProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  /** host:port of every tunnel opened */
  readonly connects: string[] = [];
  /** CONNECTs refused for missing or wrong credentials */
  refused = 0;
  /** everything clients sent inside the tunnels (TLS records when the target speaks TLS) */
  private carried: Buffer[] = [];
  port = 0;

  constructor(private readonly credentials?: { username: string; password: string }) {}

  async start(): Promise<this> {
    const server = createServer((_request, response) => response.writeHead(405).end());
    server.on('connect', (request: IncomingMessage, client: Socket, head: Buffer) => this.tunnel(request, client, head));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    this.server = server;
    this.port = (server.address() as { port: number }).port;
    return this;
  }

  url(credentials = this.credentials): string {
    const auth = credentials ? `${encodeURIComponent(credentials.username)}:${encodeURIComponent(credentials.password)}@` : '';
    return `http://${auth}127.0.0.1:${this.port}`;
  }

  /** what went through the tunnels, as one buffer */
  bytesCarried(): Buffer {
    return Buffer.concat(this.carried);
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    if (this.server) {
      this.server.closeAllConnections();
      this.server.close();
      await once(this.server, 'close');
    }
  }

  private tunnel(request: IncomingMessage, client: Socket, head: Buffer): void {
    this.sockets.add(client);
    client.on('close', () => this.sockets.delete(client));
    client.on('error', () => client.destroy());
    if (this.credentials) {
      const expected = `Basic ${Buffer.from(`${this.credentials.username}:${this.credentials.password}`).toString('base64')}`;
      if (request.headers['proxy-authorization'] !== expected) {
        this.refused++;
        client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\nContent-Length: 0\r\n\r\n');
        return;
      }
    }
    const target = request.url ?? '';
    this.connects.push(target);
    const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
    const upstream = connect(port, host.replace(/^\[|\]$/g, ''));
    this.sockets.add(upstream);
    upstream.on('close', () => this.sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    upstream.once('connect', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) {
        this.carried.push(head);
        upstream.write(head);
      }
      client.on('data', (chunk: Buffer) => this.carried.push(chunk));
      client.pipe(upstream);
      upstream.pipe(client);
    });
  }
}

/** A self-signed certificate for 127.0.0.1 made with openssl, in a directory removed by `remove`. */
export function selfSignedCertificate(): { key: Buffer; cert: Buffer; certFile: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'wechat-tls-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1'].concat([
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ]),
    { stdio: 'ignore' },
  );
  return {
    key: readFileSync(keyFile),
    cert: readFileSync(certFile),
    certFile,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
