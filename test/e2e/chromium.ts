// Debian's Chromium for the browser tests. scripts/provision-chromium.sh finds or installs it (CI's
// .ci/run and `npm test` run it first); a machine without it fails the test with how to get it,
// never skips it.
import { existsSync } from "node:fs";

/** Where Debian's chromium package puts the browser; IOM_CHROMIUM names another (as the script does). */
export const CHROMIUM = process.env.IOM_CHROMIUM || "/usr/bin/chromium";

/**
 * Headless, and quiet on the network: this machine reaches only its package mirrors, and a browser
 * test has no business with Google's update, sync or field-trial services.
 */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** What a machine without the browser is told. */
export function missingChromium(file: string): string {
  return `Chromium is not installed (${file}), and the console's browser test needs it. Get it with \`bash scripts/provision-chromium.sh\` (as root: it installs Debian's chromium package with apt-get), or \`sudo apt-get install chromium\`.`;
}

/** The browser's path; an Error saying how to get it when it is missing. */
export function chromiumPath(
  file: string = CHROMIUM,
  exists: (file: string) => boolean = existsSync,
): string {
  if (!exists(file)) throw new Error(missingChromium(file));
  return file;
}
