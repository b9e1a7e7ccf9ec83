import { defineConfig } from 'vitest/config';

// The built page is served by the Python package from any mount point, offline:
// relative asset URLs, everything bundled, nothing fetched from a CDN.
export default defineConfig({
  base: './',
  build: {
    outDir: '../src/torchloupe/serve/static',
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 300,
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
