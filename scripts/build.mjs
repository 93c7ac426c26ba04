/**
 * Compiles Switchboard's TypeScript (src/, adapters/) to plain JavaScript under
 * dist/<key>/, file by file, with relative `.ts` imports rewritten to `.js`.
 *
 * Why: run through tsx, every module Node loads (node_modules included) passes through
 * loader hooks on a second thread, which costs the server about 60 MiB of memory for
 * nothing once the code is compiled (measured: RSS after loading @langchain/langgraph is
 * 79 MiB plain, 144 MiB under tsx). `npm start` compiles first (esbuild, well under a second),
 * then runs plain Node; tsx is loaded only if a project's own TypeScript graph needs it.
 *
 * The key is a hash of the sources' paths, sizes and modification times: an unchanged tree
 * starts without compiling, and processes starting at once never read a half-written build
 * (each writes its own folder and renames it into place).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SOURCE_DIRS = ['src', 'adapters'];
const TYPESCRIPT = /\.(m|c)?tsx?$/;
const KEEP_BUILDS = 2;

/** Compiles when the sources changed; returns the folder holding `src/cli.js`. */
export async function build() {
  const sources = SOURCE_DIRS.flatMap((dir) => listTypeScript(join(ROOT, dir)));
  const key = keyOf(sources);
  const out = join(ROOT, 'dist', key);
  if (existsSync(join(out, 'src', 'cli.js'))) return out;
  const esbuild = await import('esbuild');
  const staging = join(ROOT, 'dist', `.staging-${process.pid}-${Date.now()}`);
  try {
    await esbuild.build({
      entryPoints: sources,
      outdir: staging,
      outbase: ROOT,
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'esm',
      target: 'node20',
      sourcemap: false,
      logLevel: 'error',
      plugins: [eachFileOnItsOwn],
    });
    try {
      renameSync(staging, out);
    } catch (error) {
      // Another process finished the same build first: use that one.
      if (!existsSync(join(out, 'src', 'cli.js'))) throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
    await esbuild.stop?.();
  }
  pruneOldBuilds(key);
  return out;
}

/** Bundling mode for its import rewriting only: every import stays an import, `.ts` ones now `.js`. */
const eachFileOnItsOwn = {
  name: 'each-file-on-its-own',
  setup(builder) {
    builder.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      return { path: args.path.replace(/\.(m|c)?tsx?$/, (_, kind = '') => `.${kind}js`), external: true };
    });
  },
};

function listTypeScript(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...listTypeScript(path));
    else if (TYPESCRIPT.test(entry.name) && !entry.name.endsWith('.d.ts') && !entry.name.includes('.test.')) found.push(path);
  }
  return found.sort();
}

function keyOf(sources) {
  const hash = createHash('sha256');
  for (const file of sources) {
    const stat = statSync(file);
    hash.update(`${relative(ROOT, file)}:${stat.size}:${stat.mtimeMs}\n`);
  }
  return hash.digest('hex').slice(0, 16);
}

/** Keeps the newest builds (a process still running an older one keeps its files until then). */
function pruneOldBuilds(current) {
  const dist = join(ROOT, 'dist');
  const builds = readdirSync(dist, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== current && !entry.name.startsWith('.'))
    .map((entry) => ({ path: join(dist, entry.name), at: statSync(join(dist, entry.name)).mtimeMs }))
    .sort((a, b) => b.at - a.at);
  for (const old of builds.slice(KEEP_BUILDS - 1)) rmSync(old.path, { recursive: true, force: true });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  process.stdout.write(`${await build()}\n`);
}
