/**
 * The one Powertools logger. Every log line passes through redactPii, so ID numbers,
 * passport numbers and phone numbers never reach the logs, whatever a caller passes.
 */
import { Logger, LogFormatter, LogItem } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import { redactPii } from '../domain/mask';

export class RedactingFormatter extends LogFormatter {
  formatAttributes(attributes: UnformattedAttributes, additional: LogAttributes): LogItem {
    const base = {
      level: attributes.logLevel,
      message: redactPii(attributes.message) as string,
      timestamp: this.formatTimestamp(attributes.timestamp),
      service: attributes.serviceName,
      cold_start: attributes.lambdaContext?.coldStart,
      function_request_id: attributes.lambdaContext?.awsRequestId,
      xray_trace_id: attributes.xRayTraceId,
    };
    return new LogItem({ attributes: base }).addAttributes(redactPii(additional) as LogAttributes);
  }

  override formatError(error: Error): LogAttributes {
    // Keep the stack in logs (operators need it) but never the PII a message might hold.
    const formatted = super.formatError(error);
    return redactPii(formatted) as LogAttributes;
  }
}

export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'yizhan',
  logLevel: (process.env.LOG_LEVEL as any) ?? (process.env.NODE_ENV === 'test' ? 'WARN' : 'INFO'),
  logFormatter: new RedactingFormatter(),
});
