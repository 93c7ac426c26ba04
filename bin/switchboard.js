#!/usr/bin/env node
// `npx switchboard start`: the same start as `npm start` (compiled, then plain Node).
await import('../scripts/start.mjs');
