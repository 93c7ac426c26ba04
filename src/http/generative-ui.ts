import { extname, resolve } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { Hono } from 'hono';
import { ConfigError } from '../config/load.ts';
import { HttpError } from './errors.ts';
import { publicPath } from './mount-prefix.ts';
import { z } from 'zod';
import { readBody } from './validate.ts';

/** The global a graph's bundle defines (`__LGUI_agent`); characters a JavaScript name cannot hold become _. */
const globalNameOf = (graph: string) => `__LGUI_${graph.replace(/[^\w$]/g, '_')}`;

/** One bundled file of a graph's UI (the script, and its CSS when the components import any). */
interface UiFile {
  basename: string;
  contents: Uint8Array;
}

/** What the SDK's `LoadExternalComponent` provides to the bundle at run time instead of bundling it. */
const PROVIDED = ['react', 'react-dom', 'react/jsx-runtime', '@langchain/langgraph-sdk', '@langchain/langgraph-sdk/react', '@langchain/langgraph-sdk/react-ui'];

/**
 * Appended to the user's components: `render(name, shadowRootId)` finds the element the SDK
 * made for the component, adds a target in its shadow root, and hands the component to the
 * SDK's store (`LGUI_EXT_STORE`), which renders it with the message's props.
 */
const RENDER = `
export function render(name, shadowRootId) {
  const component = (ui && (ui.default ?? ui))[name];
  const host = document.getElementById(shadowRootId);
  if (!component || !host) return;
  const root = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
  const target = document.createElement('div');
  root.appendChild(target);
  globalThis[Symbol.for('LGUI_EXT_STORE')]?.respond(shadowRootId, component, target);
}
`;

/**
 * Bundles each graph's UI components (langgraph.json `ui`: graph name to a module whose default
 * export maps component names to React components), as the Platform serves them to the SDK's
 * `LoadExternalComponent`: a script (an IIFE named `__LGUI_<graph>`) whose imports of React and the
 * SDK are resolved in the browser through `globalThis[Symbol.for("LGUI_REQUIRE")]`.
 * `ui_config.shared` names more packages the page provides. A component that does not build stops
 * the start, naming the graph.
 */
export async function bundleGraphUi(
  ui: Readonly<Record<string, string>>,
  options: { baseDir: string; shared?: readonly string[]; configFile: string },
): Promise<Map<string, UiFile[]>> {
  const bundles = new Map<string, UiFile[]>();
  for (const [graph, path] of Object.entries(ui)) {
    const modulePath = resolve(options.baseDir, path);
    const entry: Plugin = {
      name: 'switchboard-ui-entry',
      setup(builder) {
        builder.onResolve({ filter: /^switchboard-ui-entry$/ }, () => ({ path: modulePath, namespace: 'switchboard-ui' }));
        builder.onLoad({ filter: /.*/, namespace: 'switchboard-ui' }, () => ({
          resolveDir: options.baseDir,
          contents: `import * as ui from ${JSON.stringify(modulePath)};\n${RENDER}`,
          loader: 'js',
        }));
      },
    };
    try {
      const result = await build({
        entryPoints: ['switchboard-ui-entry'],
        bundle: true,
        write: false,
        outdir: resolve(options.baseDir, '.switchboard-ui', graph),
        entryNames: 'entrypoint',
        platform: 'browser',
        format: 'iife',
        target: 'es2020',
        jsx: 'automatic',
        globalName: globalNameOf(graph),
        external: [...PROVIDED, ...(options.shared ?? [])],
        plugins: [entry],
        logLevel: 'silent',
      });
      bundles.set(
        graph,
        result.outputFiles.map((file) => {
          const basename = file.path.split(/[\\/]/).at(-1)!;
          if (extname(basename) !== '.js') return { basename, contents: file.contents };
          // esbuild's IIFE reaches externals through `require`; in the browser the SDK provides them.
          const text = file.text.replaceAll(
            'typeof require !== "undefined" ? require',
            'typeof globalThis[Symbol.for("LGUI_REQUIRE")] !== "undefined" ? globalThis[Symbol.for("LGUI_REQUIRE")]',
          );
          return { basename, contents: new TextEncoder().encode(text) };
        }),
      );
    } catch (error) {
      throw new ConfigError([{ file: options.configFile, key: `ui.${graph}`, message: `the UI components do not build: ${(error as Error).message.split('\n')[0]}` }]);
    }
  }
  return bundles;
}

/** The SDK sends the name only: the page puts its shadow root's id where `{{shadowRootId}}` stands. */
const componentRequest = z.strictObject({ name: z.string().min(1), shadowRootId: z.string().min(1).default('{{shadowRootId}}') });
const MIME: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.map': 'application/json' };

/**
 * `POST /ui/{graph}` answers the HTML that loads a component (the SDK's `client["~ui"].getComponent`);
 * `GET /ui/{graph}/{file}` serves the bundle. The files are public like a web app's assets
 * (a script tag sends no API key); the HTML is behind the key like the API.
 */
export function generativeUiRoutes(bundles: ReadonlyMap<string, UiFile[]>): { assets: Hono; api: Hono } {
  const assets = new Hono();
  assets.get('/ui/:graph/:basename', (c) => {
    const file = bundles.get(c.req.param('graph'))?.find((candidate) => candidate.basename === c.req.param('basename'));
    if (!file) throw new HttpError(404, 'File not found');
    return c.body(file.contents as unknown as ArrayBuffer, 200, { 'content-type': MIME[extname(file.basename)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
  });
  const api = new Hono();
  api.post('/ui/:graph', async (c) => {
    const graph = c.req.param('graph');
    const body = await readBody(c, componentRequest);
    const files = bundles.get(graph);
    if (!files) throw new HttpError(404, `UI not found for agent "${graph}"`);
    const base = `http://${c.req.header('host') ?? '127.0.0.1'}${publicPath(c, `/ui/${graph}`)}`;
    const tags = files.filter((file) => extname(file.basename) === '.css').map((file) => `<link rel="stylesheet" href="${base}/${file.basename}" />`);
    const script = files.find((file) => extname(file.basename) === '.js');
    // Inside a single-quoted attribute: quotes and tags in the names cannot end it.
    const literal = (value: string) => JSON.stringify(value).replaceAll("'", '\\u0027').replaceAll('<', '\\u003c').replaceAll('&', '\\u0026');
    if (script) tags.push(`<script src="${base}/${script.basename}" onload='${globalNameOf(graph)}.render(${literal(body.name)}, ${literal(body.shadowRootId)})'></script>`);
    return c.body(tags.join('\n'), 200, { 'content-type': 'text/html; charset=utf-8' });
  });
  return { assets, api };
}
