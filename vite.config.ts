// The client build: two pages, the editor and the embed-only viewer, each its own entry so the
// viewer bundle carries no Yjs. The server serves dist/ (see server/http/static-files.ts).
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const page = (name: string) => fileURLToPath(new URL(`./client/${name}.html`, import.meta.url));

export default defineConfig({
  root: 'client',
  base: '/',
  build: {
    outDir: '../dist',
    emptyOutDir: true,
    sourcemap: true,
    rollupOptions: { input: { editor: page('editor'), viewer: page('viewer') } },
  },
});
