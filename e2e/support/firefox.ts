import puppeteer, { type Browser } from 'puppeteer-core';

/** Debian's Firefox ESR; override with FIREFOX_PATH. */
export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

/**
 * Prefs that make WebRTC work headless on loopback with fake devices (see the lab notes).
 * The two `permissions.default.*` prefs matter most: without them Firefox gathers no ICE
 * candidates at all in a loopback-only network namespace.
 */
export const FIREFOX_PREFS: Record<string, unknown> = {
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  'permissions.default.camera': 1,
  'permissions.default.microphone': 1,
  'media.peerconnection.ice.loopback': true,
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  'media.peerconnection.ice.default_address_only': false,
  'media.autoplay.default': 0,
  'media.autoplay.blocking_policy': 0,
  // Keep a test browser quiet: no updates, telemetry or first-run pages.
  'app.update.enabled': false,
  'browser.shell.checkDefaultBrowser': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.enabled': false,
};

/** Firefox ESR driven by puppeteer-core over WebDriver BiDi (Playwright cannot drive stock Firefox). */
export async function launchFirefox(extraPrefs: Record<string, unknown> = {}): Promise<Browser> {
  return puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX_PATH,
    headless: true,
    protocol: 'webDriverBiDi',
    extraPrefsFirefox: { ...FIREFOX_PREFS, ...extraPrefs },
  });
}
