// Vite builds the flow designer from static/editor/ into static/dist/ with
// fixed file names (editor.js, editor.css) so Django templates can reference
// them without a manifest.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  plugins: [react()],
  root: here('./static/editor'),
  base: '/static/dist/',
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: here('./static/dist'),
    emptyOutDir: true,
    cssCodeSplit: false,
    sourcemap: false,
    target: 'es2020',
    chunkSizeWarningLimit: 2000,
    modulePreload: false,
    rollupOptions: {
      input: here('./static/editor/main.jsx'),
      output: {
        entryFileNames: 'editor.js',
        chunkFileNames: 'editor-[name].js',
        assetFileNames: (asset) => {
          const name = (asset.names && asset.names[0]) || asset.name || '';
          return name.endsWith('.css') ? 'editor.css' : 'assets/[name][extname]';
        },
        codeSplitting: false,
      },
    },
  },
});
