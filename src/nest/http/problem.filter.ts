import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { asHttpProblem, HttpProblem, type ProblemBody } from './http-problem.js';
import { Problem } from '../../core/problem.js';

const CODE_BY_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'NOT_AUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  408: 'REQUEST_TIMEOUT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'TOO_MANY_REQUESTS',
  503: 'SERVICE_UNAVAILABLE',
};
const logger = new Logger('ProblemFilter');

/** What the filter uses of an Express response (no import of Express itself). */
interface ExpressResponse {
  headersSent: boolean;
  status(code: number): { setHeader(name: string, value: string): unknown };
  end(body: string): unknown;
}

/** Turns any error into the JSON error body `{statusCode, code, message[, errcode]}`; never a stack trace. */
export function toProblem(error: unknown): ProblemBody {
  const mapped = asHttpProblem(error);
  if (mapped instanceof HttpProblem) return mapped.body;
  if (mapped instanceof HttpException) {
    const status = mapped.getStatus();
    const response = mapped.getResponse();
    const message =
      typeof response === 'object' && response && 'message' in response
        ? [(response as { message: unknown }).message].flat().join('; ')
        : mapped.message;
    return { statusCode: status, code: CODE_BY_STATUS[status] ?? `HTTP_${status}`, message };
  }
  // The platforms' own errors (bad JSON, wrong content type, body too large) carry a 4xx status.
  const e = error as { statusCode?: unknown; status?: unknown; code?: unknown; type?: unknown; message?: unknown };
  const status = typeof e?.statusCode === 'number' ? e.statusCode : e?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const invalidJson = e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || e.type === 'entity.parse.failed';
    const code = invalidJson ? 'INVALID_JSON' : (CODE_BY_STATUS[status] ?? `HTTP_${status}`);
    return { statusCode: status, code, message: invalidJson ? 'the body is not valid JSON' : String(e.message ?? 'bad request') };
  }
  logger.error(`unexpected error: ${(error as Error)?.stack ?? String(error)}`);
  return { statusCode: HttpStatus.INTERNAL_SERVER_ERROR, code: 'INTERNAL_ERROR', message: 'internal error' };
}

/** The `Retry-After` header of an answer whose body says when to come back (`retryAfter`, seconds). */
export function retryAfterHeader(body: ProblemBody): string | undefined {
  const seconds = body.retryAfter;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? String(Math.ceil(seconds)) : undefined;
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply | ExpressResponse>();
    const body = toProblem(error);
    const retryAfter = retryAfterHeader(body);
    if ('sent' in reply) {
      if (reply.sent) return;
      if (retryAfter) reply.header('retry-after', retryAfter);
      void reply.status(body.statusCode).header('content-type', 'application/json; charset=utf-8').send(body);
    } else {
      if (reply.headersSent) return;
      const response = reply.status(body.statusCode);
      if (retryAfter) response.setHeader('retry-after', retryAfter);
      response.setHeader('content-type', 'application/json; charset=utf-8');
      reply.end(JSON.stringify(body));
    }
  }
}

/**
 * The errors of the core (every `Problem`: an unknown account, WeChat refusing or unreachable, the
 * store down) answered as the JSON body of their status wherever they are thrown, a host's own
 * controllers included; WechatModule registers it for the whole application. Other errors are left
 * to the host's filters.
 */
@Catch(Problem)
export class CoreProblemFilter extends ProblemFilter {}
