// Entry point of the `kubesvc` command (bin/kubesvc imports the compiled form of this file).
// The only place that touches process.argv, the environment, signals and the exit code.
import { createApiServer } from '../apiserver/index.js';
import { createClient, inProcessTransport } from '../client/index.js';
import { startControllers } from '../controllers/index.js';
import { registryBinder } from '../controllers/scheduler-binding.js';
import { openStore } from '../store/index.js';
import { createLogger } from '../util/log.js';
import { runCli } from './commands.js';
import { runUp } from './up.js';
import { EXIT_FAILURE } from './usage-error.js';

// A crash anywhere is loud and ends the process: never keep serving half-dead.
process.on('uncaughtException', (e) => {
  process.stderr.write(`kubesvc: fatal: ${e.stack ?? String(e)}\n`);
  process.exit(EXIT_FAILURE);
});
process.on('unhandledRejection', (e) => {
  process.stderr.write(`kubesvc: fatal: unhandled rejection: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(EXIT_FAILURE);
});

const code = await runCli(process.argv.slice(2), {
  cwd: process.cwd(),
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  up: (config) => {
    const logger = createLogger({ level: config.logLevel });
    return runUp(config, {
      openStore: (choice) => openStore(choice, { logger: logger.with({ component: 'store' }) }),
      createApiServer,
      logger: logger.with({ component: 'kubesvc' }),
      print: (t) => process.stdout.write(t),
      startControllers: (api, controllers, log) => {
        // In-process transport: the controllers run in the API server's process, through the same API.
        const client = createClient(inProcessTransport(api.registry));
        const running = startControllers({ client, logger: log, controllers, bindPod: registryBinder(api.registry) });
        return {
          ready: running.ready,
          stop: async () => {
            await running.stop();
            client.close();
          },
        };
      },
      onStopSignal: (handler) => {
        const on = (signal: NodeJS.Signals) => handler(signal);
        process.once('SIGINT', on);
        process.once('SIGTERM', on);
        return () => {
          process.off('SIGINT', on);
          process.off('SIGTERM', on);
        };
      },
    });
  },
});
// Exit explicitly: a lingering handle (a client's keep-alive socket) must not keep us alive after a clean stop.
process.exit(code);
