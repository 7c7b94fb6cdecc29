import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { HttpProblem } from './http-problem.js';

function flatten(errors: ValidationError[], parent = ''): { property: string; messages: string[] }[] {
  return errors.flatMap((e) => {
    const property = parent ? `${parent}.${e.property}` : e.property;
    const own = e.constraints ? [{ property, messages: Object.values(e.constraints) }] : [];
    return own.concat(flatten(e.children ?? [], property));
  });
}

/**
 * Whitelisting validation with SPEC's error codes: a bad `url` is INVALID_URL, anything else
 * (unknown properties included) VALIDATION_FAILED.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    exceptionFactory: (errors) => {
      const problems = flatten(errors);
      const urlProblem = problems.find((p) => p.property === 'url');
      if (urlProblem) return new HttpProblem(400, 'INVALID_URL', 'url is required and must be a string');
      const message = problems.map((p) => p.messages.join(', ')).join('; ') || 'invalid request';
      return new HttpProblem(400, 'VALIDATION_FAILED', message);
    },
  });
}
