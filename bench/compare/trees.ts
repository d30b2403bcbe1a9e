/**
 * The two trees `bench/compare` runs a benchmark against: a git worktree of a base revision, and a
 * snapshot of this repository's working tree. Both live under /tmp and get the same kind of
 * `node_modules`: symlinks to this repository's installed packages (when the base's lockfile pins the
 * same third-party versions), with the workspace links pointing into the tree itself, or `npm ci`.
 *
 * @module
 */
import { execFile, spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A tree the benchmark scripts run in. */
export interface Tree {
  /** A short label: `base 693e2a3` or `current`. */
  label: string;
  dir: string;
  /** What the tree holds, for the report: a commit, or a commit plus the working tree's changes. */
  describe: string;
}

type Log = (line: string) => void;

async function git(repo: string, args: readonly string[]): Promise<string> {
  const { stdout } = await run('git', ['-C', repo, ...args], { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/** Runs a command with its output sent to `log` (prefixed), rejecting on a non-zero exit. */
export function sh(
  cmd: string,
  args: readonly string[],
  cwd: string,
  log: Log,
  prefix: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (chunk: Buffer) => {
      tail = (tail + String(chunk)).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) return resolve();
      for (const line of tail.trimEnd().split('\n').slice(-15)) log(`${prefix}${line}`);
      reject(new Error(`${cmd} ${args.join(' ')} in ${cwd} exited with ${code}`));
    });
  });
}

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  optional?: boolean;
}

function lockPackages(dir: string, file = 'package-lock.json'): Record<string, LockEntry> {
  const lock = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  return lock.packages;
}

/**
 * Whether `tree`'s lockfile installs the same third-party packages as are installed in `repo` (every
 * non-workspace entry of the tree's lockfile is in `repo/node_modules/.package-lock.json`, npm's record
 * of what is installed, with the same version and integrity). Workspace links may differ: they are made
 * per tree.
 */
function sameThirdParty(tree: string, repo: string): { same: boolean; why?: string } {
  const installed = join(repo, 'node_modules/.package-lock.json');
  const mine = existsSync(installed)
    ? lockPackages(repo, 'node_modules/.package-lock.json')
    : lockPackages(repo);
  for (const [key, entry] of Object.entries(lockPackages(tree))) {
    if (!key.startsWith('node_modules/') || entry.link === true) continue;
    const other = mine[key];
    if (other === undefined && entry.optional === true) continue; // another platform's binary
    if (other === undefined) return { same: false, why: `${key} is not installed here` };
    if (other.version !== entry.version || other.integrity !== entry.integrity)
      return { same: false, why: `${key}: ${entry.version} there, ${other.version} here` };
  }
  return { same: true };
}

/**
 * Gives `tree` a `node_modules` of symlinks into `repo/node_modules`, except the workspace links of the
 * tree's own lockfile (`@sluice/*`, `sluice`, the examples), which point into the tree.
 */
function linkNodeModules(tree: string, repo: string): void {
  const target = join(tree, 'node_modules');
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target);
  const links = new Map<string, string>(); // `@sluice/engine` -> `packages/engine`
  for (const [key, entry] of Object.entries(lockPackages(tree))) {
    if (key.startsWith('node_modules/') && entry.link === true && entry.resolved !== undefined)
      links.set(key.slice('node_modules/'.length), entry.resolved);
  }
  const source = join(repo, 'node_modules');
  const isWorkspaceLink = (name: string) => lstatSync(join(source, name)).isSymbolicLink();
  for (const name of readdirSync(source)) {
    if (name.startsWith('@')) {
      mkdirSync(join(target, name));
      for (const inner of readdirSync(join(source, name))) {
        const full = `${name}/${inner}`;
        if (links.has(full) || isWorkspaceLink(full)) continue;
        symlinkSync(join(source, full), join(target, full));
      }
    } else if (!links.has(name) && !isWorkspaceLink(name)) {
      symlinkSync(join(source, name), join(target, name));
    }
  }
  for (const [name, resolved] of links) {
    const at = join(target, name);
    mkdirSync(dirname(at), { recursive: true });
    symlinkSync(relative(dirname(at), join(tree, resolved)), at);
  }
}

/** Installs `tree`'s dependencies: symlinks when the lockfiles allow, else `npm ci`. */
async function install(tree: string, repo: string, log: Log, prefix: string): Promise<void> {
  const check = sameThirdParty(tree, repo);
  if (check.same) {
    linkNodeModules(tree, repo);
    log(`${prefix}node_modules: symlinks to ${repo}/node_modules (same third-party lockfile entries)`);
    return;
  }
  log(`${prefix}node_modules: npm ci (${check.why})`);
  await sh('npm', ['ci', '--no-audit', '--no-fund'], tree, log, prefix);
}

/** Builds `tree` with its own `npm run build`. */
export async function build(tree: string, log: Log, prefix: string): Promise<void> {
  const started = performance.now();
  await sh('npm', ['run', 'build', '--silent'], tree, log, prefix);
  log(`${prefix}built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * A worktree of `rev` at `/tmp/sluice-bench-base-<short rev>` (made with `git worktree add --detach`, or
 * reused when it is already at that commit), installed and built.
 */
export async function baseTree(repo: string, rev: string, log: Log, rebuild: boolean): Promise<Tree> {
  const commit = (await git(repo, ['rev-parse', '--verify', `${rev}^{commit}`])).trim();
  const short = commit.slice(0, 7);
  const dir = `/tmp/sluice-bench-base-${short}`;
  const prefix = `[base ${short}] `;
  if (existsSync(dir)) {
    const head = (await git(dir, ['rev-parse', 'HEAD']).catch(() => '')).trim();
    if (head !== commit) throw new Error(`${dir} exists but is not a worktree at ${commit}; remove it first`);
    log(`${prefix}reusing the worktree ${dir}`);
  } else {
    log(`${prefix}git worktree add --detach ${dir} ${commit}`);
    await git(repo, ['worktree', 'add', '--detach', dir, commit]);
  }
  const built = existsSync(join(dir, 'packages/cli/dist/main.js'));
  if (!existsSync(join(dir, 'node_modules')) || rebuild) await install(dir, repo, log, prefix);
  if (!built || rebuild) await build(dir, log, prefix);
  else log(`${prefix}already built (--rebuild to build again)`);
  return { label: `base ${short}`, dir, describe: `${commit} (${rev})` };
}

/**
 * A copy of `repo`'s working tree (the files git tracks or would track, as they are on disk now) at
 * `/tmp/sluice-bench-current`, installed and built there, so edits made in `repo` while the benchmark
 * runs (and builds of `repo`) do not change what is measured.
 */
export async function snapshotTree(repo: string, log: Log): Promise<Tree> {
  const dir = '/tmp/sluice-bench-current';
  const prefix = '[current] ';
  const head = (await git(repo, ['rev-parse', 'HEAD'])).trim();
  const changed = (await git(repo, ['status', '--porcelain', '--untracked-files=all']))
    .split('\n')
    .filter((line) => line.trim() !== '');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  const files = (await git(repo, ['ls-files', '-z', '--cached', '--others', '--exclude-standard']))
    .split('\0')
    .filter((file) => file !== '');
  let copied = 0;
  for (const file of files) {
    const from = join(repo, file);
    if (!existsSync(from) || lstatSync(from).isDirectory()) continue; // deleted, or a submodule
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    if (lstatSync(from).isSymbolicLink()) symlinkSync(readlinkSync(from), join(dir, file));
    else copyFileSync(from, join(dir, file));
    copied++;
  }
  log(
    `${prefix}copied ${copied} files of ${repo} (HEAD ${head.slice(0, 7)}, ${changed.length} changed or new) to ${dir}`,
  );
  for (const line of changed.slice(0, 20)) log(`${prefix}  ${line}`);
  if (changed.length > 20) log(`${prefix}  ... and ${changed.length - 20} more`);
  await install(dir, repo, log, prefix);
  await build(dir, log, prefix);
  return {
    label: 'current',
    dir,
    describe: `${head} + ${changed.length} changed files of the working tree, copied at ${new Date().toISOString()}`,
  };
}

/** This repository used as it is (`--in-place`): built here unless `--no-build`. */
export async function inPlaceTree(repo: string, log: Log, doBuild: boolean): Promise<Tree> {
  const head = (await git(repo, ['rev-parse', 'HEAD'])).trim();
  if (doBuild) await build(repo, log, '[current, in place] ');
  return { label: 'current', dir: repo, describe: `${head} + the working tree of ${repo}, in place` };
}
