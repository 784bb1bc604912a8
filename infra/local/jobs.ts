/**
 * The scheduled jobs on a timer (EventBridge invokes the same handler every minute in AWS).
 * Runs never overlap: the next run starts only after the previous one finished.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function startJobTimer(seconds: number, log: (s: string) => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const jobsFile = fileURLToPath(new URL('../../functions/jobs/handler.ts', import.meta.url));
  const tick = async () => {
    if (stopped) return;
    try {
      if (existsSync(jobsFile)) {
        const mod: any = await import('../../functions/jobs/handler' as string);
        await mod.handler({ source: 'local.timer', 'detail-type': 'Scheduled Event', time: new Date().toISOString(), detail: {} }, {});
      }
    } catch (e) {
      log(`jobs run failed: ${(e as Error).message}`);
    }
    if (!stopped) timer = setTimeout(tick, Math.max(1, seconds) * 1000);
  };
  timer = setTimeout(tick, Math.max(1, seconds) * 1000);
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
