import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Which line of `@langchain/langgraph` a module would import: `0.x` or `current` (1.x and
 * later). Found as Node resolves a bare import, from the module's folder upward; a module
 * that resolves none reads as `current`. The two lines declare their graph types
 * differently (0.2's `CompiledStateGraph` has 6 type parameters, 1.x's 10, and only 1.x has
 * `~RunOutput`), so the schema reader asks each its own way.
 */
export function langgraphLineOf(file: string): '0.x' | 'current' {
  for (let folder = dirname(file); ; folder = dirname(folder)) {
    try {
      const manifest = JSON.parse(readFileSync(join(folder, 'node_modules', '@langchain', 'langgraph', 'package.json'), 'utf8')) as { version?: string };
      return manifest.version?.startsWith('0.') ? '0.x' : 'current';
    } catch {
      // Not installed here: look one folder up.
    }
    if (dirname(folder) === folder) return 'current';
  }
}
