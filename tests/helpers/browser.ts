/**
 * A real browser for the recovery kit's tests: Debian's `chromium` or `firefox-esr`
 * (scripts/install-deps.sh), headless, driven by puppeteer-core (DevTools protocol; WebDriver
 * BiDi for Firefox), with a fresh profile, and every network request recorded
 * so a test can fail on any (the kit must fetch nothing). Missing chromium is an error, never a
 * skipped test.
 * @module
 */
import { join } from "node:path";
import puppeteer, { type Browser, type Page } from "puppeteer-core";

/** Where Debian's chromium package puts the browser. */
export const CHROMIUM = Deno.env.get("PARADUX_CHROMIUM") ?? "/usr/bin/chromium";

/** Flags: headless, no sandbox (root in CI), and nothing of its own on the network. */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-default-apps",
  "--disable-extensions",
  "--host-resolver-rules=MAP * ~NOTFOUND",
];

/** Where Debian's firefox-esr package puts the browser. */
export const FIREFOX = Deno.env.get("PARADUX_FIREFOX") ?? "/usr/bin/firefox-esr";

/** Firefox preferences: every connection goes to a proxy that is not there. */
export const FIREFOX_PREFS: Record<string, unknown> = {
  "network.proxy.type": 1,
  "network.proxy.http": "127.0.0.1",
  "network.proxy.http_port": 9,
  "network.proxy.ssl": "127.0.0.1",
  "network.proxy.ssl_port": 9,
  "network.proxy.allow_hijacking_localhost": true,
  "app.update.enabled": false,
  "browser.safebrowsing.malware.enabled": false,
  "browser.safebrowsing.phishing.enabled": false,
  "network.captive-portal-service.enabled": false,
  "network.connectivity-service.enabled": false,
};

/** A launched browser, its profile and the requests its pages made. */
export interface KitBrowser {
  browser: Browser;
  /** Requests other than the page itself (`file://` of the kit) and `blob:`/`data:` URLs. */
  requests: string[];
  /** Errors thrown in pages and console errors. */
  errors: string[];
  /** Opens `url` in a new page with the requests and errors watched. */
  open(url: string, viewport?: { width: number; height: number; mobile?: boolean }): Promise<Page>;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

/**
 * Launches chromium (with `extraArgs` after the usual flags).
 * @throws Error naming the package to install when chromium is missing.
 */
export async function launchBrowser(
  extraArgs: readonly string[] = [],
  which: "chromium" | "firefox" = "chromium",
): Promise<KitBrowser> {
  const path = which === "chromium" ? CHROMIUM : FIREFOX;
  try {
    await Deno.stat(path);
  } catch {
    const pkg = which === "chromium" ? "chromium" : "firefox-esr";
    throw new Error(
      `${path} is missing: the recovery kit's browser tests need Debian's ${pkg} ` +
        `(apt-get install ${pkg}, or bash scripts/install-deps.sh)`,
    );
  }
  const profile = await Deno.makeTempDir({ prefix: `paradux-${which}-` });
  const browser = which === "chromium"
    ? await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [...CHROMIUM_FLAGS, ...extraArgs, `--user-data-dir=${join(profile, "profile")}`],
    })
    : await puppeteer.launch({
      browser: "firefox",
      executablePath: FIREFOX,
      headless: true,
      userDataDir: profile,
      args: [...extraArgs],
      extraPrefsFirefox: FIREFOX_PREFS,
    });
  const requests: string[] = [];
  const errors: string[] = [];
  return {
    browser,
    requests,
    errors,
    async open(url, viewport) {
      const page = await browser.newPage();
      if (viewport !== undefined) {
        await page.setViewport({
          width: viewport.width,
          height: viewport.height,
          isMobile: viewport.mobile ?? false,
          hasTouch: viewport.mobile ?? false,
        });
      }
      page.on("request", (r) => {
        const u = r.url();
        if (u !== url && !u.startsWith("blob:") && !u.startsWith("data:")) requests.push(u);
      });
      page.on("pageerror", (e) => errors.push(String(e)));
      page.on("console", (m) => {
        if (m.type() === "error") errors.push(m.text());
      });
      await page.goto(url);
      await page.waitForSelector("body[data-ready=true]");
      return page;
    },
    async close() {
      await browser.close();
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    },
  };
}

/** Lets `page` download into `dir` (Chromium's download behaviour over the DevTools protocol). */
export async function allowDownloads(page: Page, dir: string): Promise<void> {
  const cdp = await page.createCDPSession();
  await cdp.send("Browser.setDownloadBehavior", { behavior: "allow", downloadPath: dir });
}

/** Waits until `dir` holds `name` with no partial download beside it; returns its bytes. */
export async function downloaded(dir: string, name: string): Promise<Uint8Array> {
  const watcher = Deno.watchFs(dir);
  try {
    const ready = async () => {
      const names = [...Deno.readDirSync(dir)].map((e) => e.name);
      if (names.includes(name) && !names.some((n) => n.endsWith(".crdownload"))) {
        return await Deno.readFile(join(dir, name));
      }
      return null;
    };
    const now = await ready();
    if (now !== null) return now;
    for await (const _ of watcher) {
      const got = await ready();
      if (got !== null) return got;
    }
    throw new Error("download watcher ended");
  } finally {
    watcher.close();
  }
}

/**
 * A one-frame Y4M video (what chromium's fake camera plays, `--use-file-for-fake-video-capture`)
 * of a grey image; odd sizes are cut to even ones (4:2:0).
 */
export function y4mOf(img: { width: number; height: number; pixels: Uint8Array }): Uint8Array {
  const w = img.width & ~1, h = img.height & ~1;
  const header = new TextEncoder().encode(`YUV4MPEG2 W${w} H${h} F1:1 Ip A1:1 C420jpeg\n`);
  const frameHeader = new TextEncoder().encode("FRAME\n");
  const frame = new Uint8Array(frameHeader.length + w * h + 2 * (w / 2) * (h / 2));
  frame.set(frameHeader);
  for (let y = 0; y < h; y++) {
    frame.set(img.pixels.subarray(y * img.width, y * img.width + w), frameHeader.length + y * w);
  }
  frame.fill(128, frameHeader.length + w * h);
  const out = new Uint8Array(header.length + 2 * frame.length);
  out.set(header);
  out.set(frame, header.length);
  out.set(frame, header.length + frame.length);
  return out;
}
