import { Problem } from '../problem.js';
import { assertMediaId, isValidMediaId } from './media-id.js';

describe('media id validation', () => {
  it.each(['a', 'Z9', '-', '_', 'Hk3aWq0pVbC9m2J7x1YtZr8sLfN4uE6dGhI5oK0jMnP-Qw_RvTyU2aS3dF4gH5jK', 'x'.repeat(100)])(
    'accepts %j',
    (id) => {
      expect(isValidMediaId(id)).toBe(true);
      expect(() => assertMediaId(id)).not.toThrow();
    },
  );

  it.each(['', '.', '..', '../x', 'a/b', 'a\\b', '%2e%2e', 'a.b', 'a b', ' a', 'a\n', 'a\u0000', 'é', 'x'.repeat(101), 'ａ'])(
    'refuses %j',
    (id) => {
      expect(isValidMediaId(id)).toBe(false);
    },
  );

  it.each([undefined, null, 42, ['a'], { id: 'a' }])('refuses the non-string %j', (value) => {
    expect(isValidMediaId(value)).toBe(false);
  });

  it('throws 400 INVALID_MEDIA_ID', () => {
    let caught: unknown;
    try {
      assertMediaId('../etc/passwd');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(Problem);
    expect(caught).toMatchObject({ statusCode: 400, code: 'INVALID_MEDIA_ID' });
  });
});
