import type { HttpServer } from '@nestjs/common';
import type { ServerResponse } from 'node:http';

/** A Server-Sent Events answer, the same on Fastify and Express. */
export interface EventStream {
  send(event: string, data: unknown): void;
  /** a comment line: keeps proxies from closing an idle stream */
  ping(): void;
  end(): void;
  /** resolves when the client goes away or the stream ends */
  readonly closed: Promise<void>;
}

/** Takes the response over from the framework and opens it as `text/event-stream`. */
export function openEventStream(adapter: HttpServer, response: object, headers: Record<string, string> = {}): EventStream {
  let raw: ServerResponse;
  if (adapter.getType() === 'fastify') {
    const reply = response as { hijack(): void; raw: ServerResponse; getHeaders(): Record<string, unknown> };
    // headers a hook already put on the reply (CORS, security) go out with the stream
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (value !== undefined) reply.raw.setHeader(name, value as string);
    }
    reply.hijack();
    raw = reply.raw;
  } else {
    raw = response as ServerResponse;
  }
  raw.writeHead(200, {
    ...headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    'x-accel-buffering': 'no',
  });
  raw.flushHeaders();
  const closed = new Promise<void>((resolve) => {
    raw.once('close', resolve);
    raw.once('finish', resolve);
  });
  const write = (text: string) => {
    if (!raw.writableEnded && !raw.destroyed) raw.write(text);
  };
  return {
    send: (event, data) => write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`),
    ping: () => write(': ping\n\n'),
    end: () => {
      if (!raw.writableEnded) raw.end();
    },
    closed,
  };
}
