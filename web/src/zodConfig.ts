import { z } from 'zod/mini';

/**
 * zod compiles object schemas to code with `new Function` unless told not to, and it first
 * probes whether that is allowed. Under our Content-Security-Policy (no `unsafe-eval`) the probe
 * throws, zod falls back, but the browser still reports a `securitypolicyviolation` on every
 * page. Parsing the few small messages we get needs no JIT, so turn it off before any schema is
 * built: main.tsx imports this module first. (The protocol's schemas use `zod/mini`, which
 * shares this configuration and ships no locale: the browser never shows zod's messages.)
 */
z.config({ jitless: true });
