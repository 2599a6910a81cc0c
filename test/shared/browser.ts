/**
 * A headless Chromium for browser checks, taken from npm alone: `@sparticuz/chromium` ships the browser inside its
 * package and unpacks it to the temp directory on first use, and playwright-core drives it. `npm ci` is all a
 * machine needs; no system browser, no apt.
 */
import sparticuz from "@sparticuz/chromium";
import { chromium, type Browser } from "playwright-core";

/**
 * Launches the packaged Chromium headless. The caller must `close()` the browser (in a `finally` or `after` hook)
 * so that no browser process outlives the test.
 * @returns the connected browser.
 * @throws if the package's archive cannot be unpacked or the browser does not start.
 */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = await sparticuz.executablePath();
  return chromium.launch({ executablePath, args: sparticuz.args, headless: true });
}
