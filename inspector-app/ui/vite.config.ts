import { defineConfig } from "vite";

// Tauri loads dist/ from its own origin, so relative asset paths keep the build portable.
// JSX is compiled for Preact's automatic runtime (no @preact/preset-vite: fewer dependencies).
export default defineConfig({
  base: "./",
  clearScreen: false,
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  server: { port: 5173, strictPort: true },
  envPrefix: ["VITE_", "TAURI_ENV_"],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // WebView2 (Chromium) on Windows, WebKitGTK / WKWebView elsewhere.
    target: ["es2022", "chrome105", "safari15"],
    sourcemap: false,
  },
});
