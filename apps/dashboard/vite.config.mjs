// Vite builds the dashboard into dist/: index.html and web/ (fixed file names, so the dispatcher
// serves a known set of files without a token). No CDN, no fonts: everything comes from npm.
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  publicDir: 'public',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'web',
    target: 'es2022',
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
    rolldownOptions: {
      output: {
        entryFileNames: 'web/dashboard.js',
        chunkFileNames: 'web/[name].js',
        assetFileNames: 'web/[name][extname]',
      },
    },
  },
});
