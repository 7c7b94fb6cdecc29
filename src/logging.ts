import { type FastifyReply, type FastifyRequest, type FastifyServerOptions, LogController } from 'fastify';
import pino from 'pino';
import { redactUrl } from './common/redact.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'silent';

/** One structured line per request, written when the response is complete. */
class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = { reqId: request.id, req: request, statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime) };
    if (error || reply.statusCode >= 500) reply.log.error(line, 'request');
    else reply.log.info(line, 'request');
  }
}

/**
 * Fastify's pino logger: JSON lines, the url redacted, no headers (the session cookie is a
 * secret), no error messages from the request.
 */
export function fastifyLoggerOptions(level: LogLevel): Pick<FastifyServerOptions, 'logger' | 'logController' | 'childLoggerFactory'> {
  if (level === 'silent') return { logger: false };
  return {
    logger: {
      level,
      // Written asynchronously (lines of one tick coalesced): a log line never blocks a request.
      // pino flushes it on exit; the service exits through process.exit after a graceful stop.
      stream: pino.destination({ dest: 1, sync: false }),
      serializers: {
        req: (req: { method: string; url: string }) => ({ method: req.method, url: redactUrl(req.url) }),
      },
    },
    logController: new OneLinePerRequest(),
    // No child logger per request (a measurable cost on the signing hot path): the request line
    // carries the reqId itself.
    childLoggerFactory: (logger) => logger,
  };
}
