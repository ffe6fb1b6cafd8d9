import { runInvite } from './commands/invite';
import { ConfigError, helpText, loadConfig, type Config } from './config';
import { ParleyServer } from './ParleyServer';
import { version } from './version';

function main(argv: string[]): void {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(helpText());
    return;
  }
  if (argv.includes('--version')) {
    process.stdout.write(`parley ${version}\n`);
    return;
  }
  let config: Config;
  try {
    config = loadConfig(process.env, argv);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`parley: invalid configuration: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const server = new ParleyServer(config);
  // Every Socket.IO listener is guarded; these are the last line for what escapes elsewhere.
  // A promise nobody awaited that rejects is logged and the server keeps serving (Node's
  // default would end the process and every call's signaling with it).
  process.on('unhandledRejection', (err) => server.log.error({ err }, 'unhandled rejection (server keeps running)'));
  // A synchronous throw outside any handler leaves state unknown: log it and exit, so that the
  // supervisor restarts a clean process (clients reconnect and resume by themselves).
  process.on('uncaughtException', (err) => {
    server.log.fatal({ err }, 'uncaught exception: exiting');
    process.exit(1);
  });
  server.listen().then(
    (port) => {
      const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
      process.stderr.write(`Parley is running: open ${server.scheme}://${shown}:${port}\n`);
    },
    (err: unknown) => {
      if (err instanceof ConfigError) {
        process.stderr.write(`parley: invalid configuration: ${err.message}\n`);
        process.exit(2);
      }
      process.stderr.write(`parley: cannot listen on ${config.host}:${config.port}: ${String(err)}\n`);
      process.exit(1);
    },
  );
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      // A second signal: the operator wants out now.
      process.exit(1);
    }
    stopping = true;
    server.log.info({ signal }, 'shutting down');
    void server.shutdown().then(() => {
      server.log.info('stopped');
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

const args = process.argv.slice(2);
if (args[0] === 'invite') {
  const { code, out } = runInvite(args.slice(1), process.env);
  (code === 0 ? process.stdout : process.stderr).write(out);
  process.exit(code);
} else {
  main(args);
}
