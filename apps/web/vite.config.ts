import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    proxy: { "/trpc": { target: `http://127.0.0.1:${process.env.PORT ?? 3000}`, ws: false } },
  },
  build: { sourcemap: true, chunkSizeWarningLimit: 900 },
});
