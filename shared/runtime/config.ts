/** Settings read from the environment, in one place. */
export type Stage = 'local' | 'dev' | 'prod' | string;

export const config = {
  get stage(): Stage {
    return process.env.STAGE ?? 'local';
  },
  get isLocal(): boolean {
    return (process.env.STAGE ?? 'local') === 'local';
  },
  get tableName(): string {
    return process.env.TABLE_NAME ?? 'yizhan';
  },
  get dynamodbEndpoint(): string | undefined {
    return process.env.DYNAMODB_ENDPOINT || undefined;
  },
  get region(): string {
    return process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'cn-north-1';
  },
  /** Unpaid hold length. Domains may choose their own unless HOLD_SECONDS is set. */
  get holdSecondsOverride(): number | undefined {
    const v = Number(process.env.HOLD_SECONDS);
    return Number.isFinite(v) && v > 0 ? v : undefined;
  },
  get defaultHoldSeconds(): number {
    return this.holdSecondsOverride ?? 900;
  },
};
