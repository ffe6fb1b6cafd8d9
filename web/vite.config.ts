import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { compileHints } from './src/build/compileHints';

export default defineConfig({
  // The call page and the signaling client: nearly all their functions run between the Join
  // click and the first picture, so they are compiled as they load (see compileHints.ts).
  plugins: [react(), compileHints(new Set(['CallPage', 'SignalingClient']))],
  build: {
    target: 'es2022',
    sourcemap: true,
    // The segmentation model's files are fetched by its loader under the page's CSP, which allows
    // no data: URLs for scripts or fetches: emit them all as files, however small.
    assetsInlineLimit: (file) => (file.includes('@mediapipe') ? false : undefined),
  },
  server: {
    proxy: { '/socket.io': { target: 'http://localhost:8080', ws: true } },
  },
});
