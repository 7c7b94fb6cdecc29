/** The value when it is a non-empty string (a field WeChat answered), else undefined. */
export const nonEmptyString = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;
