/**
 * Captures every log line the Powertools logger formats (after PII redaction), as the JSON
 * objects that would be written to CloudWatch. Works whatever console the logger writes to.
 */
import { vi } from 'vitest';
import { RedactingFormatter } from '../../shared/http/logger';

export function captureLogs() {
  const lines: Record<string, unknown>[] = [];
  const spy = vi.spyOn(RedactingFormatter.prototype, 'formatAttributes');
  spy.mockImplementation(function (this: RedactingFormatter, ...args: Parameters<RedactingFormatter['formatAttributes']>) {
    const result = original.apply(this, args);
    lines.push(result.getAttributes() as Record<string, unknown>);
    return result;
  });
  return {
    lines,
    text: () => lines.map((l) => JSON.stringify(l)).join('\n'),
    stop: () => spy.mockRestore(),
  };
}

const original = RedactingFormatter.prototype.formatAttributes;
