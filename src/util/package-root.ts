import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder holding Switchboard's package.json, config/ and adapters/web/public/. Found by
 * walking up rather than by a fixed `../..`, because this file runs both from src/util/ (tsx,
 * tests) and from the compiled copy under dist/<build>/src/util/ (npm start).
 */
export const PACKAGE_ROOT = findUp(dirname(fileURLToPath(import.meta.url)));

/** The folder the running code was loaded from: PACKAGE_ROOT itself, or a build under dist/. */
export const CODE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function findUp(dir: string): string {
  for (let at = dir; ; at = dirname(at)) {
    if (existsSync(join(at, 'package.json'))) return at;
    if (dirname(at) === at) throw new Error(`no package.json above ${dir}`);
  }
}
