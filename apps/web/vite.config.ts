import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
// precompressed .br and .gz beside every asset, so the server sends them without compressing per request
import { compression, defineAlgorithm } from "vite-plugin-compression2";

export default defineConfig({
  plugins: [
    react(),
    compression({
      algorithms: [defineAlgorithm("gzip", { level: 9 }), defineAlgorithm("brotliCompress")],
      include: /\.(js|css|html|svg|json)$/,
      // every asset, however small (a compressed copy is kept only when it is smaller)
      threshold: 0,
      skipIfLargerOrEqual: true,
    }),
  ],
  server: {
    port: 5173,
    proxy: { "/trpc": { target: `http://127.0.0.1:${process.env.PORT ?? 3000}`, ws: false } },
  },
  // no source maps in the served build: they would publish the whole source
  build: { sourcemap: false },
});
