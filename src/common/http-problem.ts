/** An error that maps to SPEC section 3's JSON error body. */
export class HttpProblem extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'HttpProblem';
  }
}

export interface ProblemBody {
  statusCode: number;
  code: string;
  message: string;
  errcode?: number;
  [extra: string]: unknown;
}
