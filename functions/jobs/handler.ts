/**
 * jobs: the scheduled function (EventBridge every minute in AWS; a timer every
 * SWEEP_SECONDS in the local stage). Runs each domain's periodic work; every job is
 * idempotent and safe when two runs overlap.
 */
import type { ScheduledEvent } from 'aws-lambda';
import { db } from '../../shared/db/client';
import { logger } from '../../shared/http/logger';
import { jobs as orderJobs } from '../orders/jobs';
import { jobs as cruiseJobs } from '../cruise/jobs';
import '../orders/plugins';

type Job = (d: ReturnType<typeof db>, now: Date) => Promise<unknown>;

export const allJobs: Job[] = [...orderJobs, ...cruiseJobs];

export const handler = async (_event?: Partial<ScheduledEvent>) => {
  const now = new Date();
  const results: Record<string, unknown> = {};
  for (const job of allJobs) {
    try {
      results[job.name || 'job'] = await job(db(), now);
    } catch (e) {
      logger.error('job failed', { job: job.name, error: e as Error });
      results[job.name || 'job'] = 'failed';
    }
  }
  logger.info('jobs run', { results });
  return results;
};
