import { Ajv, type ErrorObject } from 'ajv';
import { HttpProblem } from './http-problem.js';

const ajv = new Ajv({ allErrors: false, coerceTypes: false, useDefaults: false, removeAdditional: false, strict: true });
// OpenAPI annotations the schemas carry for /docs.
ajv.addKeyword('example');

export interface InputCheckOptions {
  /** a problem with this property is INVALID_URL rather than VALIDATION_FAILED */
  urlProperty?: string;
  /** what an absent body or query counts as (default `{}`) */
  emptyAs?: unknown;
}

/**
 * Compiles a JSON schema once (ajv) into a check that returns the valid input or throws
 * HttpProblem 400: INVALID_URL for `urlProperty`, VALIDATION_FAILED otherwise. Unknown
 * properties are rejected by the schemas themselves (`additionalProperties: false`).
 */
export function compileInputCheck<T>(schema: object, options: InputCheckOptions = {}): (value: unknown) => T {
  const validate = ajv.compile(schema);
  const { urlProperty, emptyAs = {} } = options;
  return (value) => {
    const input = value === undefined || value === null ? emptyAs : value;
    if (validate(input)) return input as T;
    const error = validate.errors![0];
    if (urlProperty && concernsProperty(error, urlProperty)) {
      throw new HttpProblem(400, 'INVALID_URL', `${urlProperty} is required and must be a string`);
    }
    throw new HttpProblem(400, 'VALIDATION_FAILED', describe(error));
  };
}

function concernsProperty(error: ErrorObject, property: string): boolean {
  return (
    error.instancePath === `/${property}` ||
    error.instancePath.startsWith(`/${property}/`) ||
    (error.keyword === 'required' && (error.params as { missingProperty?: string }).missingProperty === property)
  );
}

function describe(error: ErrorObject): string {
  const where = error.instancePath ? error.instancePath.slice(1).replace(/\//g, '.') : 'body';
  if (error.keyword === 'additionalProperties') {
    return `property ${(error.params as { additionalProperty: string }).additionalProperty} is not allowed`;
  }
  return `${where} ${error.message ?? 'is invalid'}`;
}
