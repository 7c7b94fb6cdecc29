import { ConfigurationError } from '../../src/service/config/app-config.js';
import { validateEnv } from '../../src/service/config/validate-env.js';

/** The problems validateEnv names for `env` (it must refuse it with a ConfigurationError). */
export function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    validateEnv(env);
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    return error.problems;
  }
  throw new Error('expected a ConfigurationError');
}
