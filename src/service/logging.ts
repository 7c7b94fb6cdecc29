import { hostname } from 'node:os';
import type { LoggerService } from '@nestjs/common';
import { type FastifyReply, type FastifyRequest, type FastifyServerOptions, LogController } from 'fastify';
import pino from 'pino';
import { loggableUrl } from '../core/redact.js';
import { type BatchedLines, stdoutLogStream } from './log-sink.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'silent';

const INFO = 30;

interface RequestRecord {
  time: number;
  reqId: unknown;
  method: string;
  url: string;
  /** the route's pattern, when a route matched */
  route: string | undefined;
  statusCode: number;
  elapsedMs: number;
}

/**
 * One structured line per request, written when the response is complete. The common line (a
 * request that went well) is recorded as raw values and built by hand into exactly what pino
 * would write for it, when the turn's lines are written together (BatchedLines.writeLater):
 * pino's generic serialiser, run in the middle of each request, cost more than the signing.
 * Failures (5xx, or an error on the way out) take pino's own path at level error.
 */
export class OneLinePerRequest extends LogController {
  private readonly format: (r: RequestRecord) => string;

  constructor(
    private readonly lines: BatchedLines,
    bindings = { pid: process.pid, hostname: hostname() },
  ) {
    super();
    const head = `,"pid":${JSON.stringify(bindings.pid)},"hostname":${JSON.stringify(bindings.hostname)},"reqId":`;
    this.format = (r) =>
      `{"level":${INFO},"time":${r.time}${head}${JSON.stringify(r.reqId)},"req":{"method":${JSON.stringify(r.method)},` +
      `"url":${JSON.stringify(loggableUrl(r.url, r.route))}},"statusCode":${r.statusCode},"ms":${Math.round(r.elapsedMs)},"msg":"request"}\n`;
  }

  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const statusCode = reply.statusCode;
    if (error || statusCode >= 500) {
      reply.log.error({ reqId: request.id, req: request, statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
      return;
    }
    if ((reply.log as unknown as pino.Logger).levelVal > INFO) return;
    const record: RequestRecord = {
      time: Date.now(),
      reqId: request.id,
      method: request.method,
      url: request.url,
      route: paramRoute(request),
      statusCode,
      elapsedMs: reply.elapsedTime,
    };
    this.lines.writeLater(record, this.format);
  }
}

/**
 * The pattern of a route with path parameters (whose values may be private ids), else undefined.
 * `routeOptions` builds an object per read, so a route without parameters (signing) never reads it.
 */
function paramRoute(request: FastifyRequest): string | undefined {
  for (const _ in request.params as object) return request.routeOptions.url;
  return undefined;
}

/** What a failed request's line shows of it: method and loggable url, nothing else. */
const requestSerializer = (req: FastifyRequest) => ({ method: req.method, url: loggableUrl(req.url, paramRoute(req)) });

/**
 * Fastify's pino logger: JSON lines, the url redacted, no headers (the session cookie is a
 * secret), no error messages from the request; and Nest's own messages as JSON lines of the
 * same logger, so every line on stdout is one JSON object.
 */
export function createLogging(
  level: LogLevel,
  lines: BatchedLines = stdoutLogStream(),
): {
  fastify: Pick<FastifyServerOptions, 'logger' | 'loggerInstance' | 'logController' | 'childLoggerFactory'>;
  nest: LoggerService | false;
} {
  if (level === 'silent') return { fastify: { logger: false }, nest: false };
  const logger = pino({ level, serializers: { req: requestSerializer } }, lines);
  return {
    fastify: {
      loggerInstance: logger,
      logController: new OneLinePerRequest(lines),
      // No child logger per request (a measurable cost on the signing hot path): the request line
      // carries the reqId itself.
      childLoggerFactory: (parent) => parent,
    },
    nest: new NestJsonLogger(logger),
  };
}

/** Nest's LoggerService on pino: `{ level, time, pid, hostname, context, msg }` lines. */
export class NestJsonLogger implements LoggerService {
  constructor(private readonly logger: pino.Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  /** Nest passes the context last (and, for errors, a stack before it). */
  private write(level: pino.Level, message: unknown, rest: unknown[]): void {
    const context = typeof rest.at(-1) === 'string' ? (rest.at(-1) as string) : undefined;
    const text = message instanceof Error ? message.message : typeof message === 'string' ? message : JSON.stringify(message);
    this.logger[level](context ? { context } : {}, text);
  }
}
