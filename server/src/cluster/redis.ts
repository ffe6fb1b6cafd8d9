import type { Redis, RedisOptions } from 'ioredis';

/**
 * Redis connections for the cluster. The client package is loaded only when REDIS_URL is set, so
 * a one-process server never loads it.
 *
 * Commands fail at once while the connection is down (no offline queue): the caller answers
 * `cluster-unavailable` instead of holding a join for an unknown time. The client reconnects by
 * itself with a capped backoff.
 */
export async function connectRedis(url: string, name: string, timeoutMs = 5_000): Promise<Redis> {
  const { Redis: Client } = await import('ioredis');
  const options: RedisOptions = {
    connectionName: name,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 2_000,
    connectTimeout: 3_000,
    lazyConnect: true,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2_000),
  };
  const client = new Client(url, options);
  // Errors are reported through the cluster's health; an unhandled 'error' would end the process.
  client.on('error', () => undefined);
  const timer = setTimeout(() => client.disconnect(), timeoutMs);
  try {
    await client.connect();
  } catch (err) {
    client.disconnect();
    throw new Error(`cannot reach Redis at ${redactUrl(url)}: ${(err as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
  return client;
}

/** The URL without its password, for logs and errors. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'REDIS_URL';
  }
}
