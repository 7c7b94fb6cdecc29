/**
 * An error that maps to the JSON error body `{ statusCode, code, message, ...extra }`, without
 * anything of Nest: what the account core throws. The Nest layer turns it into an HttpProblem.
 */
export class Problem extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'Problem';
  }

  /** The JSON error body this problem is answered with. */
  get body(): ProblemBody {
    return { statusCode: this.statusCode, code: this.code, message: this.message, ...this.extra };
  }
}

export interface ProblemBody {
  statusCode: number;
  code: string;
  message: string;
  errcode?: number;
  [extra: string]: unknown;
}
