/** Opaque pagination cursors: a query's LastEvaluatedKey, base64url-encoded. */
import { badRequest } from '../http/errors';

export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;
}

export function decodeCursor(cursor: string | undefined, allowedKeys: string[]): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('shape');
    for (const [k, val] of Object.entries(v)) if (!allowedKeys.includes(k) || typeof val !== 'string') throw new Error('key');
    return v;
  } catch {
    throw badRequest('invalid_cursor', 'The cursor is not one this API returned.');
  }
}
