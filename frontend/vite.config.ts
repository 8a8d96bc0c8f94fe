import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// Relative base: the bundle is served from "/" locally and from the frontend bucket on NCP.
export default defineConfig({
  base: "./",
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false, target: "es2022" },
  server: { proxy: { "/api": process.env.SWAPREP_API ?? "http://127.0.0.1:8780" } },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/__tests__/setup.ts"],
  },
});
