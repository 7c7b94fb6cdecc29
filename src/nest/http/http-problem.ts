import { HttpException } from '@nestjs/common';
import { isRefusal, StoreUnavailableError } from '../../store/redis-guard.js';
import { Problem, type ProblemBody } from '../../core/problem.js';

export type { ProblemBody } from '../../core/problem.js';

/**
 * An HttpException whose response is the JSON error body: any Nest host renders it as it is,
 * with or without the package's ProblemFilter.
 */
export class HttpProblem extends HttpException {
  readonly code: string;
  readonly extra: Record<string, unknown>;

  constructor(statusCode: number, code: string, message: string, extra: Record<string, unknown> = {}) {
    super({ statusCode, code, message, ...extra } satisfies ProblemBody, statusCode);
    this.code = code;
    this.extra = extra;
    this.name = 'HttpProblem';
  }

  get statusCode(): number {
    return this.getStatus();
  }

  get body(): ProblemBody {
    return this.getResponse() as ProblemBody;
  }
}

/**
 * The HttpProblem an error of the core means at the HTTP edge: a Problem as it is (WeChat refusing is
 * 502 with errcode and hint, never errmsg; WeChat or the store unreachable 503). Anything else is
 * returned unchanged (a bug stays a 500).
 */
export function asHttpProblem(error: unknown): unknown {
  if (error instanceof HttpProblem) return error;
  // the store's own message may carry what Redis said; the client is told only whether it refused
  if (error instanceof StoreUnavailableError)
    return withCause(new HttpProblem(503, 'STORE_UNAVAILABLE', storeTrouble(error, 'shared store')), error);
  if (error instanceof Problem)
    return withCause(new HttpProblem(error.statusCode, error.code, error.message, error.extra), error);
  return error;
}

/** What a client is told when the store failed: that it refused (it answers, but will not write), or that it did not answer. */
export function storeTrouble(error: unknown, name: string): string {
  return isRefusal(error)
    ? `the ${name} refused the write (it is full or read-only); try again later`
    : `the ${name} is not answering; try again shortly`;
}

function withCause(problem: HttpProblem, cause: unknown): HttpProblem {
  Object.defineProperty(problem, 'cause', { value: cause, enumerable: false });
  return problem;
}
