import type { StateResult } from './credential-state.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { wechatError, withRid, type WechatError } from './errors.js';
import type { Sandbox } from './sandbox.js';

export const JSON_TYPE = 'application/json; charset=utf-8';
export const SANDBOX_HEADER = 'x-wechat-sandbox';

export function sendJson(reply: FastifyReply, body: unknown, status = 200): FastifyReply {
  return reply.code(status).type(JSON_TYPE).send(JSON.stringify(body));
}

/** HTML with its CSP; never cached, never sniffed, no referrer leaking codes or state. */
export function sendHtml(reply: FastifyReply, page: { html: string; csp: string }, status = 200): FastifyReply {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('content-security-policy', page.csp)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-store')
    .send(page.html);
}

/** WeChat reports errors as HTTP 200 with an errcode body. */
export function sendWechatError(reply: FastifyReply, err: WechatError): FastifyReply {
  return sendJson(reply, withRid(err));
}

/** First value of a query parameter (repeated keys arrive as arrays). */
export function queryParam(req: FastifyRequest, name: string): string | undefined {
  const value = (req.query as Record<string, unknown> | undefined)?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : undefined;
}

/** Parses a raw body; undefined means "not a JSON object". */
export function parseJsonObject(raw: unknown): Record<string, unknown> | undefined {
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Take bodies as raw strings in this plugin scope, so a malformed JSON body reaches our handler
 * (WeChat answers 47001) instead of Fastify's own 400, whatever parsers the host app installed.
 */
export function useRawBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
}

/** Per-endpoint deviations from the JSON defaults, used when a fault is applied. */
export interface EndpointStyle {
  /** How WeChat errors go out; media downloads send them as text/plain. Default: sendWechatError. */
  sendError?: (reply: FastifyReply, err: WechatError) => FastifyReply;
  /** Answer cut after `afterBytes` body bytes (fault 'cut'); without it the fault acts as 'drop'. */
  cut?: (afterBytes: number) => FastifyReply | Promise<FastifyReply>;
}

function dropConnection(req: FastifyRequest, reply: FastifyReply): FastifyReply {
  reply.hijack();
  req.raw.socket.destroy();
  return reply;
}

/**
 * Common shape of every simulated endpoint: count the call, apply a queued fault if any,
 * otherwise run the real behaviour.
 */
export async function runEndpoint(
  sandbox: Sandbox,
  endpoint: string,
  req: FastifyRequest,
  reply: FastifyReply,
  real: () => FastifyReply | Promise<FastifyReply>,
  style: EndpointStyle = {},
): Promise<FastifyReply> {
  sandbox.counter.record(endpoint);
  const fault = sandbox.faults.take(endpoint);
  if (!fault) return real();
  const sendError = style.sendError ?? sendWechatError;
  switch (fault.kind) {
    case 'errcode':
      return sendError(reply, wechatError(fault.errcode, fault.errmsg));
    case 'http':
      return reply
        .code(fault.status)
        .type('text/html; charset=utf-8')
        .send(`<html><body><h1>${fault.status} Error</h1><p>sandbox injected fault</p></body></html>`);
    case 'garbage':
      return reply.code(200).type('text/html; charset=utf-8').send('<html>502 Bad Gateway</html>');
    case 'drop':
      return dropConnection(req, reply);
    case 'cut':
      return style.cut ? style.cut(fault.afterBytes) : dropConnection(req, reply);
    case 'slow': {
      // give up when the connection goes away (client abort, stop()), so no timer outlives the server
      const abort = new AbortController();
      const onClose = () => abort.abort();
      reply.raw.once('close', onClose);
      try {
        await sleep(fault.delayMs, undefined, { signal: abort.signal });
      } catch {
        return reply;
      } finally {
        reply.raw.off('close', onClose);
      }
      if (reply.raw.destroyed) return reply;
      if (fault.errcode !== undefined) return sendError(reply, wechatError(fault.errcode, fault.errmsg));
      return real();
    }
  }
}

/** A state result as WeChat answers it: the body, or the error JSON. */
export function sendResult<T>(reply: Parameters<typeof sendJson>[0], result: StateResult<T>) {
  return result.ok ? sendJson(reply, result.body) : sendWechatError(reply, result);
}
