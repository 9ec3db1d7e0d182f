/**
 * Starts a worker thread from a module next to the caller. Compiled code (dist/) runs the `.js` file; the
 * TypeScript sources (tests, benches under tsx) run the `.ts` file through tsx's loader, registered inside
 * the worker because loader hooks are per thread.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

export function launchWorker(moduleUrl: URL, options: WorkerOptions = {}): Worker {
  const js = new URL(moduleUrl.href.replace(/\.ts$/, '.js'));
  if (fs.existsSync(fileURLToPath(js))) return new Worker(js, options);
  const ts = new URL(moduleUrl.href.replace(/\.js$/, '.ts'));
  const boot = `import { register } from 'tsx/esm/api'; register(); await import(${JSON.stringify(ts.href)});`;
  return new Worker(boot, { ...options, eval: true });
}
