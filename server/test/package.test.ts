import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const rootPackage = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
};

/** The environment without npm's own variables, so that npm in another folder is not steered by this run. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return { ...env, ...extra };
}

function run(cmd: string, args: string[], cwd: string, timeout = 300_000): { code: number | null; out: string } {
  const r = spawnSync(cmd, args, { cwd, env: cleanEnv(), encoding: 'utf8', timeout });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

test('the root package lists every registry dependency of the bundled server, with the same range', () => {
  const server = JSON.parse(readFileSync(join(ROOT, 'server', 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  const registry = Object.entries(server.dependencies).filter(([name]) => !name.startsWith('@parley/'));
  assert.deepEqual(Object.fromEntries(registry), rootPackage.dependencies);
});

test('npm pack makes a package that installs in an empty folder, prints its version and serves', async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'parley-pack-'));
  // prepack builds the web app and the server bundle.
  const pack = run('npm', ['pack', '--pack-destination', work], ROOT, 600_000);
  assert.equal(pack.code, 0, pack.out);
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
  assert.equal(tarball, `parley-${rootPackage.version}.tgz`);
  const tarballPath = join(work, tarball);

  const listing = run('tar', ['tzf', tarballPath], work).out.split('\n');
  for (const needed of [
    'package/package.json',
    'package/LICENSE',
    'package/CHANGELOG.md',
    'package/README.md',
    'package/.env.example',
    'package/deploy/parley.service',
    'package/deploy/nginx/parley.conf',
    'package/server/dist/cli.js',
    'package/web/dist/index.html',
    'package/web/dist/index.html.br',
    'package/web/dist/download-sw.js',
  ]) {
    assert.ok(listing.includes(needed), `${needed} in the tarball`);
  }
  assert.ok(!listing.some((f) => /\/(src|test|node_modules)\//.test(f)), 'no sources, tests or node_modules');

  const app = join(work, 'app');
  spawnSync('mkdir', [app]);
  writeFileSync(join(app, 'package.json'), '{ "name": "parley-install-test", "private": true }\n');
  // The registry (or npm's cache) supplies the dependencies. The forwarding unit's engine (an
  // optional dependency compiled at install, minutes of work) is left out: the server must serve
  // without it, as it does where it cannot build.
  const install = run(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--omit=optional', tarballPath],
    app,
  );
  if (install.code !== 0 && /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ENETUNREACH/.test(install.out)) {
    t.skip(`the dependencies cannot be installed without the npm registry: ${install.out.split('\n')[0]}`);
    return;
  }
  assert.equal(install.code, 0, install.out);

  // Installed locally, so npx runs it without asking the registry.
  assert.ok(existsSync(join(app, 'node_modules', '.bin', 'parley')), 'the package installs its bin');
  const version = run('npx', ['parley', '--version'], app);
  assert.equal(version.code, 0, version.out);
  assert.equal(version.out.trim(), `parley ${rootPackage.version}`);

  const server = spawn('npx', ['parley'], {
    cwd: app,
    env: cleanEnv({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', XDG_STATE_HOME: join(work, 'state') }),
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  let stderr = '';
  server.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  try {
    const deadline = Date.now() + 30_000;
    let url = '';
    while (!url && Date.now() < deadline && server.exitCode === null) {
      url = /open (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)?.[1] ?? '';
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(url, `the packaged server starts: ${stderr}`);
    const health = await fetch(`${url}/healthz`);
    assert.equal(health.status, 200);
    // The web app ships in the package and is found without STATIC_DIR.
    const page = await fetch(`${url}/call/alice/room1`, { headers: { accept: 'text/html' } });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<div id="root">/);
  } finally {
    // npx runs the server as a child: signal the whole group.
    if (server.pid !== undefined) process.kill(-server.pid, 'SIGTERM');
  }
});
