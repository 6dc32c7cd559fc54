// Run `fn`, expect it to throw WasmlaneError('WL_INVALID_CONFIG'), and return the error so a test can
// check its message (which names the bad key and, for unknown keys, the known ones).
import { expect } from 'vitest';
import { WasmlaneError } from '../../src/errors.js';

export function configError(fn: () => unknown): WasmlaneError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(WasmlaneError);
    expect((error as WasmlaneError).code).toBe('WL_INVALID_CONFIG');
    return error as WasmlaneError;
  }
  throw new Error('expected WL_INVALID_CONFIG');
}
