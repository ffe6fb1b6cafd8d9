import { runInvite } from './commands/invite';
import { ConfigError, loadConfig } from './config';
import { ParleyServer } from './ParleyServer';

function main(): void {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`parley: invalid configuration: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const server = new ParleyServer(config);
  server.listen().then(
    (port) => {
      const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
      process.stderr.write(`Parley is running: open http://${shown}:${port}\n`);
    },
    (err: unknown) => {
      process.stderr.write(`parley: cannot listen on ${config.host}:${config.port}: ${String(err)}\n`);
      process.exit(1);
    },
  );
  const stop = (signal: string): void => {
    server.log.info({ signal }, 'shutting down');
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

if (process.argv[2] === 'invite') {
  const { code, out } = runInvite(process.argv.slice(3), process.env);
  (code === 0 ? process.stdout : process.stderr).write(out);
  process.exit(code);
} else {
  main();
}
