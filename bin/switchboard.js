#!/usr/bin/env node
// `npx switchboard start`: Switchboard is TypeScript run by tsx (a dependency), so this
// launcher registers tsx's loader and hands over to the CLI.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
