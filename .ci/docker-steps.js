#!/usr/bin/env node
/*
 * Replays the Dockerfile without a Docker engine, so a broken image fails CI:
 *   node .ci/docker-steps.js [--keep]
 *
 * It reads the Dockerfile and runs its instructions itself: the build context is a clean
 * copy of the files git knows (tracked and untracked-but-not-ignored), filtered by
 * .dockerignore; every stage gets a directory of its own standing for its filesystem;
 * COPY copies (also --from an earlier stage), RUN runs in /bin/sh with the stage's ENV,
 * WORKDIR and absolute paths under it mapped into the stage's directory. The last stage
 * then holds only what the image would hold, and its CMD is started as the image starts
 * it (its ENV, NODE_ENV=production, the secrets production requires, the embedded
 * database in its WORKDIR): /health/live and /v1/products must answer, the HEALTHCHECK
 * command must pass, and SIGTERM must end it with exit code 0. A runtime dependency
 * declared as a dev dependency, or a file the runtime stage does not copy, fails here.
 *
 * What it cannot replay: the base image itself (the local Node stands in, and must have
 * the major version the FROM tag names) and ownership (`chown` is a no-op: it runs as the
 * CI user).
 */
'use strict';

const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { randomBytes } = require('node:crypto');

const ROOT = path.resolve(__dirname, '..');
const KEEP = process.argv.includes('--keep');
const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 20_000;

class StepError extends Error {}

// ---- parsing -------------------------------------------------------------------------------

/** Dockerfile instructions, with line continuations joined and comments dropped. */
function parseDockerfile(text) {
  const instructions = [];
  let pending = '';
  let startLine = 0;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trimEnd();
    if (!pending && (line.trim() === '' || line.trimStart().startsWith('#'))) {
      return;
    }
    if (!pending) {
      startLine = index + 1;
    }
    if (line.endsWith('\\')) {
      pending += line.slice(0, -1) + ' ';
      return;
    }
    const full = (pending + line).trim();
    pending = '';
    const [, keyword, args] = /^(\S+)\s*(.*)$/s.exec(full);
    instructions.push({ line: startLine, keyword: keyword.toUpperCase(), args });
  });
  return instructions;
}

/** Leading `--name=value` flags and the rest. */
function splitFlags(args) {
  const flags = {};
  let rest = args;
  for (;;) {
    const match = /^--([\w-]+)(?:=(\S*))?\s*/.exec(rest);
    if (!match) {
      return { flags, rest };
    }
    flags[match[1]] = match[2] ?? true;
    rest = rest.slice(match[0].length);
  }
}

/** `["a", "b"]` (exec form) or a shell string. */
function commandOf(args) {
  const text = args.trim();
  if (text.startsWith('[')) {
    return JSON.parse(text);
  }
  return ['/bin/sh', '-c', text];
}

function parseEnv(args) {
  const env = {};
  if (!args.includes('=')) {
    const [name, ...value] = args.split(/\s+/);
    env[name] = value.join(' ');
    return env;
  }
  for (const match of args.matchAll(/([\w.-]+)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
    env[match[1]] = match[2].startsWith('"') ? JSON.parse(match[2]) : match[2];
  }
  return env;
}

// ---- the build context ---------------------------------------------------------------------

/** .dockerignore patterns as matchers (Docker's rules: rooted at the context, `**` spans directories, `!` re-includes). */
function dockerignore() {
  const file = path.join(ROOT, '.dockerignore');
  if (!fs.existsSync(file)) {
    return () => false;
  }
  const rules = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const negate = line.startsWith('!');
      const pattern = path.posix.normalize((negate ? line.slice(1) : line).replace(/^\/+/, ''));
      const source = pattern
        .split(/(\*\*\/?|\*|\?)/)
        .map((part) =>
          part === '**' || part === '**/'
            ? '(?:.*/)?'
            : part === '*'
              ? '[^/]*'
              : part === '?'
                ? '[^/]'
                : part.replace(/[.+^${}()|[\]\\]/g, '\\$&'),
        )
        .join('');
      return { negate, regex: new RegExp(`^${source}(?:/.*)?$`) };
    });
  return (relative) => {
    let ignored = false;
    for (const rule of rules) {
      if (rule.regex.test(relative)) {
        ignored = !rule.negate;
      }
    }
    return ignored;
  };
}

function makeContext(dir) {
  const ignored = dockerignore();
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  let count = 0;
  for (const relative of listed.split('\0').filter(Boolean)) {
    const from = path.join(ROOT, relative);
    if (ignored(relative) || !fs.existsSync(from)) {
      continue; // ignored, or deleted in the working tree
    }
    fs.mkdirSync(path.dirname(path.join(dir, relative)), { recursive: true });
    fs.copyFileSync(from, path.join(dir, relative));
    count++;
  }
  return count;
}

// ---- the replay ----------------------------------------------------------------------------

function replay(instructions, work) {
  const context = path.join(work, 'context');
  fs.mkdirSync(context);
  console.log(`build context: ${makeContext(context)} files (git's files minus .dockerignore)`);

  const stages = [];
  let stage;
  const stageCount = instructions.filter((i) => i.keyword === 'FROM').length;
  const inStage = (p) => path.join(stage.root, path.posix.resolve(stage.workdir, p));

  for (const instruction of instructions) {
    const { keyword, args, line } = instruction;
    if (keyword !== 'FROM' && !stage) {
      continue; // ARG before FROM
    }
    const where = keyword === 'FROM' ? `[stage ${stages.length + 1}/${stageCount}]` : `[${stage.name}]`;
    console.log(`${where} ${keyword} ${args.replace(/\s+/g, ' ')}`.slice(0, 160));
    switch (keyword) {
      case 'FROM': {
        const [image, as, name] = args.split(/\s+/);
        checkBaseImage(image, line);
        stage = {
          name: as?.toUpperCase() === 'AS' ? name : `stage ${stages.length + 1}`,
          root: path.join(work, `stage-${stages.length}`),
          workdir: '/',
          env: {},
          cmd: undefined,
          healthcheck: undefined,
        };
        fs.mkdirSync(stage.root);
        stages.push(stage);
        break;
      }
      case 'WORKDIR':
        stage.workdir = path.posix.resolve(stage.workdir, args.trim());
        fs.mkdirSync(inStage('.'), { recursive: true });
        break;
      case 'ENV':
        Object.assign(stage.env, parseEnv(args));
        break;
      case 'COPY':
      case 'ADD': {
        const { flags, rest } = splitFlags(args);
        const parts = rest.trim().startsWith('[') ? JSON.parse(rest) : rest.trim().split(/\s+/);
        const dest = parts.pop();
        let base = context;
        if (flags.from) {
          const from = stages.find((s) => s.name === flags.from);
          if (!from) {
            throw new StepError(`Dockerfile:${line}: COPY --from=${flags.from}: no such stage`);
          }
          base = from.root;
        }
        const target = inStage(dest);
        const intoDirectory = dest.endsWith('/') || dest === '.' || parts.length > 1;
        for (const source of parts) {
          const from = path.join(base, flags.from ? source : path.posix.normalize(source));
          if (!fs.existsSync(from)) {
            throw new StepError(
              `Dockerfile:${line}: COPY ${source}: not found in ${flags.from ? `stage ${flags.from}` : 'the build context'}`,
            );
          }
          if (fs.statSync(from).isDirectory()) {
            fs.cpSync(from, target, { recursive: true, verbatimSymlinks: true });
          } else {
            const to = intoDirectory ? path.join(target, path.basename(from)) : target;
            fs.mkdirSync(path.dirname(to), { recursive: true });
            fs.copyFileSync(from, to);
          }
        }
        break;
      }
      case 'RUN': {
        const { rest } = splitFlags(args); // --mount=type=cache…: the local npm cache serves instead
        run(stage, rest, line);
        break;
      }
      case 'CMD':
        stage.cmd = commandOf(args);
        break;
      case 'HEALTHCHECK': {
        const match = /\bCMD\s+(.*)$/s.exec(args);
        stage.healthcheck = match ? commandOf(match[1]) : undefined;
        break;
      }
      case 'USER':
      case 'EXPOSE':
      case 'LABEL':
      case 'ARG':
        break;
      default:
        throw new StepError(`Dockerfile:${line}: ${keyword} is not replayed by this script; teach it`);
    }
  }
  return stage;
}

/** The local Node stands in for the base image: it must be the same major version. */
function checkBaseImage(image, line) {
  const match = /^node:(\d+)/.exec(image);
  if (!match) {
    throw new StepError(`Dockerfile:${line}: base image ${image}: only node:<major>… images can be replayed`);
  }
  const local = process.versions.node.split('.')[0];
  if (match[1] !== local) {
    throw new StepError(`Dockerfile:${line}: base image ${image} is Node ${match[1]}, this replay runs Node ${local}`);
  }
}

/**
 * What a build reaches the registry with (Docker passes the proxy variables to builds as
 * predefined build arguments; a CI's own CA bundle is set up in its builder likewise).
 */
const PASSED_THROUGH = /^(npm_config_\w+|(HTTPS?|NO)_PROXY|(https?|no)_proxy|NODE_EXTRA_CA_CERTS|SSL_CERT_(FILE|DIR))$/;

/** The stage's environment on top of a bare one (PATH, HOME, how to reach the registry). */
function stageEnv(stage, extra = {}) {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME };
  for (const [name, value] of Object.entries(process.env)) {
    if (PASSED_THROUGH.test(name)) {
      env[name] = value;
    }
  }
  return { ...env, ...stage.env, ...extra };
}

function mapAbsolutePaths(stage, command) {
  if (stage.workdir === '/') {
    return command;
  }
  const escaped = stage.workdir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return command.replace(new RegExp(`(^|[\\s='"])${escaped}(?=/|\\s|$|['"])`, 'g'), `$1${inStageRoot(stage)}`);
}
const inStageRoot = (stage) => path.join(stage.root, stage.workdir);

function run(stage, command, line) {
  const script = `chown() { :; }\n${mapAbsolutePaths(stage, command)}`;
  try {
    execFileSync('/bin/sh', ['-c', script], { cwd: inStageRoot(stage), env: stageEnv(stage), stdio: 'inherit' });
  } catch (error) {
    throw new StepError(`Dockerfile:${line}: RUN failed (exit code ${error.status}): ${command}`);
  }
}

// ---- starting the image --------------------------------------------------------------------

function freePort() {
  return new Promise((done, fail) => {
    const server = net.createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

function get(port, urlPath) {
  return new Promise((done) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, agent: false, timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => done({ status: res.statusCode, body }));
    });
    req.on('error', () => done({ status: 0, body: '' }));
    req.on('timeout', () => req.destroy());
  });
}

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

async function startImage(stage, work) {
  if (!stage.cmd) {
    throw new StepError('the last stage has no CMD');
  }
  const port = await freePort();
  const home = path.join(work, 'home');
  fs.mkdirSync(home);
  // What `docker run -e JWT_SECRET=… -e WEBHOOK_SECRET=… -p …` adds to the image's ENV.
  const env = stageEnv(stage, {
    HOME: home,
    PORT: String(port),
    JWT_SECRET: randomBytes(32).toString('hex'),
    WEBHOOK_SECRET: randomBytes(16).toString('hex'),
  });
  delete env.NODE_PATH;
  const cwd = inStageRoot(stage);
  const [file, ...args] = stage.cmd;
  console.log(`starting ${stage.cmd.join(' ')} in the last stage, ${stage.name} (${Object.keys(stage.env).map((k) => `${k}=${stage.env[k]}`).join(' ')}), port ${port}`);
  const child = spawn(file === 'node' ? process.execPath : file, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  let exit;
  const exited = new Promise((done) => child.once('exit', (code, signal) => done((exit = { code, signal }))));
  const fail = (message) => {
    if (!exit) {
      child.kill('SIGKILL');
    }
    return new StepError(`${message}\n----- service output (last 4000 characters) -----\n${output.slice(-4_000)}`);
  };

  const started = Date.now();
  for (;;) {
    if (exit) {
      throw fail(`the service exited (code ${exit.code}, signal ${exit.signal}) before /health/live answered`);
    }
    if ((await get(port, '/health/live')).status === 200) {
      break;
    }
    if (Date.now() - started > START_TIMEOUT_MS) {
      throw fail(`/health/live did not answer 200 within ${START_TIMEOUT_MS / 1000}s`);
    }
    await sleep(500);
  }
  console.log(`GET /health/live: 200 after ${((Date.now() - started) / 1000).toFixed(1)}s`);

  const products = await get(port, '/v1/products');
  if (products.status !== 200 || !products.body.includes('"items"')) {
    throw fail(`GET /v1/products answered ${products.status}: ${products.body.slice(0, 300)}`);
  }
  console.log(`GET /v1/products: 200, ${JSON.parse(products.body).total} products`);

  if (stage.healthcheck) {
    const [hcFile, ...hcArgs] = stage.healthcheck;
    try {
      execFileSync(hcFile === 'node' ? process.execPath : hcFile, hcArgs, { cwd, env, stdio: 'pipe', timeout: 10_000 });
    } catch (error) {
      throw fail(`the HEALTHCHECK command failed (exit code ${error.status})`);
    }
    console.log('HEALTHCHECK: exit code 0');
  }

  child.kill('SIGTERM');
  const stopped = await Promise.race([exited, sleep(STOP_TIMEOUT_MS).then(() => undefined)]);
  if (!stopped) {
    throw fail(`the service did not exit within ${STOP_TIMEOUT_MS / 1000}s of SIGTERM`);
  }
  if (stopped.code !== 0) {
    throw fail(`after SIGTERM the service exited with code ${stopped.code}, signal ${stopped.signal}`);
  }
  console.log('SIGTERM: exited with code 0');
}

// ---- main ----------------------------------------------------------------------------------

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'docker-steps-'));
  try {
    const instructions = parseDockerfile(fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
    const last = replay(instructions, work);
    const files = fs.readdirSync(inStageRoot(last)).sort();
    console.log(`image ${last.workdir}: ${files.join(' ')}`);
    await startImage(last, work);
  } finally {
    if (KEEP) {
      console.log(`kept ${work}`);
    } else {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }
}

main().catch((error) => {
  console.error(error instanceof StepError ? `docker-steps: ${error.message}` : error);
  process.exit(1);
});
