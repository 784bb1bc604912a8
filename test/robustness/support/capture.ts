/**
 * Captures everything the process writes to stdout/stderr (Powertools logs JSON lines to
 * stdout) so a test can audit the logs of a whole scenario.
 */
export interface Capture {
  lines: () => string[];
  text: () => string;
  stop: () => void;
}

export function captureOutput(opts: { passThrough?: boolean } = {}): Capture {
  const chunks: string[] = [];
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const hook = (orig: typeof out) =>
    ((chunk: any, ...rest: any[]) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      if (opts.passThrough) return (orig as any)(chunk, ...rest);
      const cb = rest.find((r) => typeof r === 'function');
      if (cb) cb();
      return true;
    }) as typeof out;
  process.stdout.write = hook(out);
  process.stderr.write = hook(err);
  return {
    lines: () => chunks.join('').split('\n').filter(Boolean),
    text: () => chunks.join(''),
    stop: () => {
      process.stdout.write = out;
      process.stderr.write = err;
    },
  };
}

/** A stack frame, a source path or a module path: none may reach a client (or, without a 500, a log). */
export const STACK_TRACE = /(\n\s*at [^\n]+:\d+:\d+)|(\bat (?:async )?[\w$.<>\[\] ]+ \((?:file:\/\/|\/|node:)[^)]*:\d+:\d+\))|(\/work\/|\/home\/|node_modules\/|file:\/\/\/)|(\.(?:ts|js|mjs|cjs):\d+:\d+)/;
