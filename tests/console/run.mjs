// The agency console in a real browser. Starts a real `knd-server demo` on a fresh data directory
// and a free port, drives Debian's Chromium with playwright-core, runs every scenario file in
// `scenarios/` (or those named by `--only a,b`), saves a screenshot per page and checks each page
// with axe-core (serious and critical violations fail) and for Content-Security-Policy refusals.
//
// Environment:
//   KND_SERVER_BIN     the server binary (default: <repo>/target/debug/knd-server)
//   CHROMIUM           the browser (default: /usr/bin/chromium)
//   KND_CONSOLE_ARTIFACTS  where screenshots and the server log go (default: <repo>/target/console-artifacts)
//
// A scenario is `export default async function (ctx) {}`; `ctx` is described at `makeContext`.
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, createWriteStream } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../..");
const serverBin = process.env.KND_SERVER_BIN || join(repo, "target/debug/knd-server");
const browserBin = process.env.CHROMIUM || "/usr/bin/chromium";
const artifacts = process.env.KND_CONSOLE_ARTIFACTS || join(repo, "target/console-artifacts");
const axeSource = readFileSync(join(here, "node_modules/axe-core/axe.min.js"), "utf8");

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.on("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

async function startDemo(password) {
  const dir = mkdtempSync(join(tmpdir(), "knd-console-"));
  const port = await freePort();
  const log = createWriteStream(join(artifacts, "server.log"));
  const child = spawn(serverBin, ["demo", "--password", password], {
    cwd: dir,
    env: { ...process.env, KND__LISTEN: `127.0.0.1:${port}`, RUST_LOG: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let banner = "";
  child.stdout.on("data", (d) => {
    banner += d;
    log.write(d);
  });
  child.stderr.on("data", (d) => log.write(d));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`the demo server exited (${child.exitCode}); see server.log`);
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok && banner.includes("Ctrl-C")) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const code = /Device enrollment code[^:]*: ([A-Z0-9-]+)/.exec(banner)?.[1];
  return {
    base,
    enrollmentCode: code,
    stop() {
      child.kill("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// What a scenario gets:
//   base            the server's URL
//   password        the demo users' password
//   enrollmentCode  inspector1's enrollment code from the demo's banner
//   as(login)       a new browser page signed in as that demo user (through the login form)
//   anonymous()     a new browser page with no session
//   shot(page, name)  a full-page screenshot into the artefacts folder
//   axe(page, name) fails on serious or critical accessibility violations of the page
//   assert          node:assert/strict
//   formPost(page, path, fields)  posts a form from inside the page (its cookies, no CSRF token
//                   unless given): to check refusals of forged posts
function makeContext(browser, demo, password, failures) {
  const pages = [];
  async function newPage() {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "ru-RU" });
    const page = await context.newPage();
    page.on("console", (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) {
        failures.push(`CSP refusal on ${page.url()}: ${m.text()}`);
      }
    });
    page.on("pageerror", (e) => failures.push(`script error on ${page.url()}: ${e.message}`));
    pages.push(page);
    return page;
  }
  return {
    base: demo.base,
    password,
    enrollmentCode: demo.enrollmentCode,
    assert,
    async anonymous() {
      return newPage();
    },
    async as(login) {
      const page = await newPage();
      await page.goto(`${demo.base}/login`);
      await page.fill("#login", login);
      await page.fill("#password", password);
      await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/login")), page.click("button[type=submit]")]);
      return page;
    },
    async shot(page, name) {
      await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
    },
    async axe(page, name) {
      await page.evaluate(axeSource);
      const result = await page.evaluate(() =>
        // eslint-disable-next-line no-undef
        axe.run(document, { resultTypes: ["violations"] }),
      );
      const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
      for (const v of bad) {
        const where = v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join("; ");
        failures.push(`${name}: axe ${v.impact} ${v.id} (${v.help}) at ${where}`);
      }
    },
    async formPost(page, path, fields) {
      return page.evaluate(
        async ({ path, fields }) => {
          const r = await fetch(path, {
            method: "POST",
            headers: { "content-type": "application/x-www-form-urlencoded" },
            body: new URLSearchParams(fields).toString(),
            redirect: "manual",
          });
          return { status: r.status, text: await r.text() };
        },
        { path, fields },
      );
    },
    async closeAll() {
      for (const p of pages) await p.context().close().catch(() => {});
      pages.length = 0;
    },
  };
}

async function main() {
  const only = (() => {
    const i = process.argv.indexOf("--only");
    return i > 0 ? new Set(process.argv[i + 1].split(",")) : null;
  })();
  mkdirSync(artifacts, { recursive: true });
  const password = `console-${Math.random().toString(36).slice(2, 12)}`;
  const demo = await startDemo(password);
  const browser = await chromium.launch({ executablePath: browserBin, args: ["--no-sandbox"] });
  const files = readdirSync(join(here, "scenarios"))
    .filter((f) => f.endsWith(".mjs"))
    .sort()
    .filter((f) => !only || only.has(f.replace(/\.mjs$/, "")));
  let failed = 0;
  try {
    for (const f of files) {
      const failures = [];
      const ctx = makeContext(browser, demo, password, failures);
      const started = Date.now();
      try {
        const scenario = (await import(join(here, "scenarios", f))).default;
        await scenario(ctx);
      } catch (e) {
        failures.push(e.stack || String(e));
      } finally {
        await ctx.closeAll();
      }
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      if (failures.length) {
        failed++;
        console.log(`FAIL ${f} (${secs} s)`);
        for (const m of failures) console.log(`  - ${m}`);
      } else {
        console.log(`ok   ${f} (${secs} s)`);
      }
    }
  } finally {
    await browser.close();
    demo.stop();
  }
  console.log(`screenshots: ${artifacts}`);
  if (failed) {
    console.log(`${failed} of ${files.length} scenario files failed`);
    process.exit(1);
  }
  if (files.length === 0) {
    console.log("no scenario matched");
    process.exit(1);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
