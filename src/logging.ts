import { hostname } from 'node:os';
import { type FastifyReply, type FastifyRequest, type FastifyServerOptions, LogController } from 'fastify';
import pino from 'pino';
import { redactUrl } from './common/redact.js';
import { type BatchedLines, stdoutLogStream } from './log-sink.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'silent';

const INFO = 30;

interface RequestRecord {
  time: number;
  reqId: unknown;
  method: string;
  url: string;
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

  constructor(private readonly lines: BatchedLines, bindings = { pid: process.pid, hostname: hostname() }) {
    super();
    const head = `,"pid":${JSON.stringify(bindings.pid)},"hostname":${JSON.stringify(bindings.hostname)},"reqId":`;
    this.format = (r) => `{"level":${INFO},"time":${r.time}${head}${JSON.stringify(r.reqId)},"req":{"method":${JSON.stringify(r.method)},`
      + `"url":${JSON.stringify(redactUrl(r.url))}},"statusCode":${r.statusCode},"ms":${Math.round(r.elapsedMs)},"msg":"request"}\n`;
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
      time: Date.now(), reqId: request.id, method: request.method, url: request.url, statusCode, elapsedMs: reply.elapsedTime,
    };
    this.lines.writeLater(record, this.format);
  }
}

/**
 * Fastify's pino logger: JSON lines, the url redacted, no headers (the session cookie is a
 * secret), no error messages from the request.
 */
export function fastifyLoggerOptions(
  level: LogLevel,
  lines: BatchedLines = stdoutLogStream(),
): Pick<FastifyServerOptions, 'logger' | 'logController' | 'childLoggerFactory'> {
  if (level === 'silent') return { logger: false };
  return {
    logger: {
      level,
      stream: lines,
      serializers: {
        req: (req: { method: string; url: string }) => ({ method: req.method, url: redactUrl(req.url) }),
      },
    },
    logController: new OneLinePerRequest(lines),
    // No child logger per request (a measurable cost on the signing hot path): the request line
    // carries the reqId itself.
    childLoggerFactory: (logger) => logger,
  };
}
