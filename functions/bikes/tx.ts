/**
 * TransactWriteItems with a bounded, jittered retry on TransactionConflict (real DynamoDB
 * cancels a transaction that races another one on the same item; DynamoDB Local never does).
 * A condition failure is never retried: it is the answer. Each attempt carries a fresh
 * ClientRequestToken, so an SDK-level resend of one attempt is idempotent while a cancelled
 * attempt (which changed nothing) can safely be tried again.
 */
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import type { Db } from '../../shared/db/client';

export const CONFLICT_ATTEMPTS = 4;

export function isConflictOnly(e: any): boolean {
  if (e?.name !== 'TransactionCanceledException') return false;
  const reasons: any[] = e.CancellationReasons ?? [];
  return reasons.some((r) => r?.Code === 'TransactionConflict') && !reasons.some((r) => r?.Code === 'ConditionalCheckFailed');
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `attempt` again (at most CONFLICT_ATTEMPTS times) while it fails only on TransactionConflict. */
export async function retryOnConflict<T>(attempt: () => Promise<T>, opts: { attempts?: number; baseMs?: number } = {}): Promise<T> {
  const attempts = opts.attempts ?? CONFLICT_ATTEMPTS;
  const base = opts.baseMs ?? 15;
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (e) {
      if (!isConflictOnly(e) || i >= attempts) throw e; // the HTTP stack maps a final conflict to 409 concurrent_update
      await pause(Math.random() * base * 2 ** i);
    }
  }
}

export async function transact(db: Db, items: NonNullable<TransactWriteCommandInput['TransactItems']>, opts?: { attempts?: number; baseMs?: number }) {
  return retryOnConflict(() => db.doc.send(new TransactWriteCommand({ TransactItems: items, ClientRequestToken: randomUUID() })), opts);
}

/** The cancellation reasons of a failed transaction (empty for other errors). */
export function cancellationReasons(e: any): { Code?: string; Item?: Record<string, any> }[] {
  return e?.name === 'TransactionCanceledException' ? (e.CancellationReasons ?? []) : [];
}
