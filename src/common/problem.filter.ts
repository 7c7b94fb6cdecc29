import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { WechatApiError, WechatUnavailableError } from '../wechat/api/wechat-api.error.js';
import { HttpProblem, type ProblemBody } from './http-problem.js';

const CODE_BY_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST', 401: 'NOT_AUTHENTICATED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE', 408: 'REQUEST_TIMEOUT', 413: 'PAYLOAD_TOO_LARGE', 415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'TOO_MANY_REQUESTS', 503: 'SERVICE_UNAVAILABLE',
};
const logger = new Logger('ProblemFilter');

/** Turns any error into SPEC's `{statusCode, code, message[, errcode]}`; never a stack trace. */
export function toProblem(error: unknown): ProblemBody {
  if (error instanceof HttpProblem) {
    return { statusCode: error.statusCode, code: error.code, message: error.message, ...error.extra };
  }
  if (error instanceof WechatApiError) {
    return {
      statusCode: 502, code: 'WECHAT_API_ERROR', message: error.message, errcode: error.errcode, ...(error.hint ? { hint: error.hint } : {}),
    };
  }
  if (error instanceof WechatUnavailableError) {
    return { statusCode: 503, code: 'WECHAT_UNAVAILABLE', message: error.message };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    const message = typeof response === 'object' && response && 'message' in response
      ? [(response as { message: unknown }).message].flat().join('; ')
      : error.message;
    const code = status === 400 && /JSON/.test(message) ? 'INVALID_JSON' : CODE_BY_STATUS[status] ?? `HTTP_${status}`;
    return { statusCode: status, code, message };
  }
  // Fastify's own errors (bad JSON, wrong content type, body too large) carry a 4xx statusCode.
  const e = error as { statusCode?: unknown; code?: unknown; message?: unknown };
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    const code = e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || /JSON/i.test(String(e.message)) ? 'INVALID_JSON'
      : CODE_BY_STATUS[e.statusCode] ?? `HTTP_${e.statusCode}`;
    return { statusCode: e.statusCode, code, message: String(e.message ?? 'bad request') };
  }
  logger.error(`unexpected error: ${(error as Error)?.stack ?? String(error)}`);
  return { statusCode: HttpStatus.INTERNAL_SERVER_ERROR, code: 'INTERNAL_ERROR', message: 'internal error' };
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (reply.sent) return;
    const body = toProblem(error);
    void reply.status(body.statusCode).header('content-type', 'application/json; charset=utf-8').send(body);
  }
}
