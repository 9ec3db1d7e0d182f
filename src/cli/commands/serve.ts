import { Command } from 'commander';
import { loadConfig, type ServiceConfig } from '../../service/config.js';
import { startService } from '../../service/server.js';
import { DEFAULT_DATA_DIR } from '../options.js';

export function serveCommand(): Command {
  return new Command('serve')
    .description('run the HTTP service: event recording, the outbound DLP filter, proofs (config: --config FILE or VIGIL_CONFIG, VIGIL_* variables)')
    .option('--config <file>', 'configuration file (YAML or JSON)')
    .option('--host <host>', 'address to listen on (env VIGIL_HOST, default 127.0.0.1)')
    .option('--port <port>', 'port to listen on (env VIGIL_PORT, default 8080; 0 picks a free one)')
    .action(async (opts: { config?: string; host?: string; port?: string }, cmd: Command) => {
      const globals = cmd.optsWithGlobals<{ dataDir?: string }>();
      const flags: Partial<ServiceConfig> = {};
      if (globals.dataDir !== undefined) flags.dataDir = globals.dataDir;
      if (opts.host !== undefined) flags.host = opts.host;
      if (opts.port !== undefined) flags.port = /^\d+$/.test(opts.port) ? Number(opts.port) : Number.NaN;
      const config = loadConfig({ file: opts.config, flags, defaultDataDir: DEFAULT_DATA_DIR });
      const service = await startService(config, {
        // Shown once, here; also in <data dir>/admin.token (mode 0600). Only its hash is stored.
        onFirstAdminToken: (token, file) => process.stdout.write(`first start: admin token (also in ${file}, mode 0600):\n${token}\n`),
      });
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGTERM', stop);
          process.off('SIGINT', stop);
          void service.close().then(resolve);
        };
        process.on('SIGTERM', stop);
        process.on('SIGINT', stop);
      });
    });
}
