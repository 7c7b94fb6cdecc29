import type { HttpServer } from '@nestjs/common';

/** The request fields the package reads, the same on Fastify and Express. */
export interface RequestLine {
  method: string;
  url: string;
  /** Express: the url before any router rewrote `url` */
  originalUrl?: string;
  headers: Record<string, string | string[] | undefined>;
}

/** The path and query the client asked for. */
export const requestedUrl = (request: RequestLine): string => request.originalUrl ?? request.url;

/** A 302 through Nest's adapter, whichever platform the application runs on. */
export async function redirect(adapter: HttpServer, response: object, url: string): Promise<void> {
  await adapter.redirect(response, 302, url);
}
