/**
 * Three builds: the main process (the Electron shell and the headless CLI, sharing the
 * studio's code), the sandboxed preload, and the React renderer.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';

const fromRoot = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * The renderer imports '@vitejs/plugin-react/preamble' (a module), so the inline copy
 * the plugin injects into index.html in development is redundant, and the CSP
 * (script-src 'self') would block it with a console error on every load.
 */
function dropInlineReactPreamble(): Plugin {
  let inlinePreamble = '';
  return {
    name: 'shotline:drop-inline-react-preamble',
    apply: 'serve',
    configResolved(config) {
      inlinePreamble = `<script type="module">${react.preambleCode.replace('__BASE__', config.base)}</script>`;
    },
    transformIndexHtml: { order: 'post', handler: (html) => html.replace(inlinePreamble, '') },
  };
}

export default defineConfig({
  main: {
    build: {
      outDir: fromRoot('out/main'),
      // The cli entry runs under plain Node 20, not only inside Electron's Node 22.
      target: 'node20',
      // Dependencies stay in node_modules: better-sqlite3 is a native addon and cannot
      // be bundled, and the others load faster from there.
      externalizeDeps: true,
      rollupOptions: {
        input: {
          index: fromRoot('src/main/index.ts'),
          cli: fromRoot('src/main/cli.ts'),
          // The media worker: a separate process main forks (utilityProcess in the app).
          'media-worker': fromRoot('src/main/media/worker/worker-main.ts'),
          'c2pa-worker': fromRoot('src/main/provenance/c2pa/worker/c2pa-worker-main.ts'),
        },
        output: {
          format: 'es',
          entryFileNames: '[name].js',
          chunkFileNames: 'chunks/[name]-[hash].js',
        },
      },
    },
  },
  preload: {
    build: {
      outDir: fromRoot('out/preload'),
      // A sandboxed preload can require only 'electron' and a few built-ins: bundle
      // everything else into the one file.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: fromRoot('src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: fromRoot('src/renderer'),
    build: {
      outDir: fromRoot('out/renderer'),
      rollupOptions: { input: fromRoot('src/renderer/index.html') },
    },
    plugins: [react(), dropInlineReactPreamble()],
  },
});
