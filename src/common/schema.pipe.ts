import { type PipeTransform } from '@nestjs/common';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { HttpProblem } from './http-problem.js';

const ajv = new Ajv({ allErrors: false, coerceTypes: false, useDefaults: false, removeAdditional: false, strict: true });
ajv.addKeyword('example');

/**
 * Validates input against a JSON schema compiled once with ajv (the hot signing routes can't
 * afford class-validator's reflection per request). A problem with `urlProperty` is INVALID_URL,
 * anything else VALIDATION_FAILED; unknown properties are rejected.
 */
export class SchemaPipe implements PipeTransform {
  private readonly validate: ValidateFunction;

  constructor(schema: object, private readonly urlProperty?: string, private readonly emptyAs: unknown = {}) {
    this.validate = ajv.compile(schema);
  }

  transform(value: unknown): unknown {
    const input = value === undefined || value === null ? this.emptyAs : value;
    if (this.validate(input)) return input;
    const error = this.validate.errors![0];
    if (this.urlProperty && concernsProperty(error, this.urlProperty)) {
      throw new HttpProblem(400, 'INVALID_URL', `${this.urlProperty} is required and must be a string`);
    }
    throw new HttpProblem(400, 'VALIDATION_FAILED', describe(error));
  }
}

function concernsProperty(error: ErrorObject, property: string): boolean {
  return error.instancePath === `/${property}` || error.instancePath.startsWith(`/${property}/`)
    || (error.keyword === 'required' && (error.params as { missingProperty?: string }).missingProperty === property);
}

function describe(error: ErrorObject): string {
  const where = error.instancePath ? error.instancePath.slice(1).replace(/\//g, '.') : 'body';
  if (error.keyword === 'additionalProperties') {
    return `property ${(error.params as { additionalProperty: string }).additionalProperty} is not allowed`;
  }
  return `${where} ${error.message ?? 'is invalid'}`;
}
