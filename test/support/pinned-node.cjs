'use strict';
/**
 * `node test/support/pinned-node.cjs <node arguments…>` runs `node <node arguments…>` on a
 * Node that can run the tests: the one running this script when it is new enough, else
 * the version `.nvmrc` pins, installed once from the npm registry into the user's cache
 * (as the CI script does). The built service runs on Node 20.19 and later, but Jest loads
 * Nest 12's ES modules through require(esm), which it supports from Node 24.9 on.
 *
 * Plain CommonJS, no dependencies: it has to run on any Node before anything is set up.
 */
const { spawn, spawnSync } = require('node:child_process');
const { existsSync, readFileSync } = require('node:fs');
const { homedir } = require('node:os');
const { delimiter, dirname, join, resolve } = require('node:path');

const NEEDED = { major: 24, minor: 9 };
const ROOT = resolve(__dirname, '../..');

function newEnough(version) {
  const [major, minor] = version.split('.').map(Number);
  return major > NEEDED.major || (major === NEEDED.major && minor >= NEEDED.minor);
}

function stop(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/** The pinned Node's binary, installed into the cache first when missing. */
function pinnedNode() {
  const version = readFileSync(join(ROOT, '.nvmrc'), 'utf8').trim();
  const found = `found ${process.version}`;
  const instead = `install Node ${NEEDED.major}.${NEEDED.minor} or newer (for example \`nvm install\` in this folder) and run the command again`;
  if (process.platform === 'win32') {
    stop(`The tests need Node ${NEEDED.major}.${NEEDED.minor} or newer (${found}): ${instead}.`);
  }
  const pkg = `node-${process.platform}-${process.arch}`;
  const prefix = join(homedir(), '.cache', `mall-node-${version}`);
  const binary = join(prefix, 'node_modules', pkg, 'bin', 'node');
  if (!existsSync(binary)) {
    process.stderr.write(
      `The tests need Node ${NEEDED.major}.${NEEDED.minor} or newer (${found}): installing Node ${version} ` +
        `(.nvmrc) from the npm registry into ${prefix}, once.\n`,
    );
    const npm = process.env.npm_execpath ? [process.execPath, [process.env.npm_execpath]] : ['npm', []];
    const installed = spawnSync(
      npm[0],
      [
        ...npm[1],
        'install',
        '--no-save',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        '--prefix',
        prefix,
        `${pkg}@${version}`,
      ],
      { stdio: 'inherit', env: { ...process.env, npm_config_update_notifier: 'false' } },
    );
    if (installed.status !== 0 || !existsSync(binary)) {
      stop(`Node ${version} could not be installed: ${instead}.`);
    }
  }
  return binary;
}

const node = newEnough(process.versions.node) ? process.execPath : pinnedNode();
// First on PATH too, so that whatever the tests start by name (npm, node) runs on it as well.
const env = { ...process.env, PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ''}` };
const child = spawn(node, process.argv.slice(2), { stdio: 'inherit', env });
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => {
  if (signal) {
    process.kill(process.pid, signal);
  } else {
    process.exit(code ?? 1);
  }
});
