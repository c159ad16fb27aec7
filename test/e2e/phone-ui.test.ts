// The phone page in real headless Chromium at 360 × 740 against the real daemon (virtual audio
// device playing a DI loop, mock GPIO): upload models and an IR, pick them, change the preset from
// the page, see a footswitch press on the page, and keep screenshots of every view in
// test-output/screenshots/; and the admin PIN's setup, watch-only and login. Skipped, saying why,
// where Debian's chromium is not installed.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import type { Bank, Preset } from "../../firmware/api-contract/index.js";
import { systemClock } from "../../firmware/controls/clock.js";
import { writeWavFloat32 } from "../../firmware/util/wav.js";
import { readF32 } from "../dsp/reference-cases.js";
import { fixtures, repoRoot } from "../helpers/paths.js";
import { build, multipart, type TestPedal } from "../server/helper.js";
import { irWavBytes, MODEL_FILES } from "../server/fixtures.js";

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
  "--disable-sync", "--disable-quic", "--no-first-run",
];
const SCREENSHOTS = join(repoRoot, "test-output", "screenshots");
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing (Debian: apt-get install -y chromium)`;

describe("phone web UI in Chromium", { skip }, () => {
  let browser: Browser;
  let scratch: string;
  before(async () => {
    assert.ok(existsSync(join(repoRoot, "dist", "web-ui", "index.html")), "dist/web-ui is not built: npm run build:ui");
    scratch = await mkdtemp(join(tmpdir(), "namstomp-e2e-"));
    await mkdir(SCREENSHOTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  after(async () => {
    await browser?.close();
    await rm(scratch, { recursive: true, force: true });
  });

  it("plays a gig from the phone", async (t) => {
    // A DI loop as the guitar, so the meters move and the tuner hears notes.
    const diWav = join(scratch, "di.wav");
    await writeWavFloat32(diWav, await readF32(join(fixtures, "reference", "signals", "guitar_di_a.f32")), 48000);
    const pedal = await build(t, { settings: { audio: { virtualInputWav: diWav } } });
    const { clean, crunch } = await gigBank(pedal);
    const irPath = join(scratch, "Greenback 4x12.wav");
    await writeFile(irPath, await irWavBytes());

    const page = await browser.newPage({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    // The page logged in as the admin (the PIN screen itself is not what this test is about).
    const [cookieName, cookieValue] = pedal.adminCookie!.split("=") as [string, string];
    await page.context().addCookies([{ name: cookieName, value: cookieValue, url: pedal.daemon.url }]);
    await page.goto(`${pedal.daemon.url}/#stage`);
    await page.locator(".health .link-led.on").waitFor();

    // Amp: upload (progress, then the card), a refused model, a slimmed one; play the Feather.
    await page.locator(".tab[data-view=amp]").tap();
    await page.locator(".library-models input[type=file]").setInputFiles(MODEL_FILES.feather);
    await page.getByTestId("models-synth_feather_v070").waitFor();
    await page.locator(".library-models input[type=file]").setInputFiles(MODEL_FILES.a2);
    await page.locator(".toast", { hasText: "A2 added — slimmed to slim 0.00 (3 channels) to fit" }).waitFor();
    await page.locator(".library-models input[type=file]").setInputFiles(MODEL_FILES.standard);
    await page.locator(".toast-error", { hasText: "A1 Standard needs ~67 % of the audio period" }).waitFor();
    await page.getByTestId("models-synth_feather_v070").tap();
    await page.locator(".library-models .card.playing", { hasText: "synth_feather_v070" }).waitFor();
    // With the refusal still on screen: the player sees why, and what would fit.
    await screenshot(page, "amp", { keepToasts: true });

    // Cab: upload and play.
    await page.locator(".tab[data-view=cab]").tap();
    await page.locator(".library-irs input[type=file]").setInputFiles(irPath);
    await page.getByTestId("irs-Greenback 4x12").tap();
    await page.locator(".library-irs .card.playing", { hasText: "Greenback 4x12" }).waitFor();
    await screenshot(page, "cab");
    assert.equal(pedal.daemon.engine.status().ir?.name, "Greenback 4x12");

    // Presets: play "Crunch" from the list, then step back to "Clean" from the stage.
    await page.locator(".tab[data-view=presets]").tap();
    await page.getByTestId("preset-Crunch").tap();
    await page.locator(".preset-row.active", { hasText: "Crunch" }).waitFor();
    await screenshot(page, "presets");
    await page.locator(".tab[data-view=stage]").tap();
    await expectPreset(page, "Crunch");
    await page.getByRole("button", { name: "previous preset" }).tap();
    await expectPreset(page, "Clean");
    assert.equal(pedal.daemon.engine.status().model, null, "Clean has no amp");
    assert.equal(pedal.daemon.engine.params().outputLevelDb, clean.params.outputLevelDb);

    // A press of footswitch B (GPIO27 on the mock backend): next preset, on the phone within 100 ms.
    const latencyMs = await footswitchLatency(page, pedal, "Crunch");
    t.diagnostic(`footswitch release → preset name on the page: ${latencyMs.toFixed(1)} ms`);
    assert.ok(latencyMs < 100, `${latencyMs.toFixed(1)} ms`);
    assert.equal(pedal.daemon.engine.status().model?.id, crunch.modelId);
    // The DI loop reaches the input meter.
    await page.waitForFunction('document.querySelector(".meter-readout")?.textContent !== "–∞"');
    await screenshot(page, "stage");

    // Tone: turn the bass knob up by dragging; the pedal gets it.
    await page.locator(".tab[data-view=tone]").tap();
    const bass = page.getByRole("slider", { name: "Bass" });
    const box = (await bass.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2 - 66, { steps: 6 });
    await page.mouse.up();
    await waitUntil(() => pedal.daemon.engine.params().eq.bass === 8);
    await screenshot(page, "tone");

    // Tuner: opening it mutes and listens; leaving unmutes.
    await page.locator(".tab[data-view=tuner]").tap();
    await waitUntil(() => pedal.daemon.engine.meters().tuner.active);
    await page.locator(".tuner-note").filter({ hasNotText: "·" }).waitFor();
    await screenshot(page, "tuner");
    await page.locator(".tab[data-view=stage]").tap();
    await waitUntil(() => !pedal.daemon.engine.meters().tuner.active);

    assert.deepEqual(pageErrors, []);
    await page.close();
  });

  it("asks for a PIN on first use, watches without one, and unlocks with it", async (t) => {
    const pedal = await build(t, { settings: { security: { pinHash: null } } });
    const phone = await browser.newPage({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const pageErrors: string[] = [];
    phone.on("pageerror", (error) => pageErrors.push(error.message));
    await phone.goto(`${pedal.daemon.url}/#stage`);

    // First use: the setup sheet; the page checks length and confirmation before the pedal does.
    const sheet = phone.getByRole("dialog");
    await sheet.getByRole("heading", { name: "Choose an admin PIN" }).waitFor();
    await screenshot(phone, "pin-setup");
    await sheet.getByLabel("PIN", { exact: true }).fill("1234");
    await sheet.getByRole("button", { name: "Set PIN" }).tap();
    await sheet.getByText("at least 6 characters").waitFor();
    await sheet.getByLabel("PIN", { exact: true }).fill("808303");
    await sheet.getByLabel("PIN again").fill("808304");
    await sheet.getByRole("button", { name: "Set PIN" }).tap();
    await sheet.getByText("the two PINs differ").waitFor();
    await sheet.getByLabel("PIN again").fill("808303");
    await sheet.getByRole("button", { name: "Set PIN" }).tap();
    await sheet.waitFor({ state: "hidden" });
    const footswitch = phone.getByRole("button", { name: "bypass" });
    await footswitch.tap();
    await waitUntil(() => pedal.daemon.engine.status().bypass);

    // Logged out (a shared phone): the stage still shows; a change opens the PIN sheet and is not made.
    await phone.getByTestId("lock").tap();
    await phone.locator(".toast", { hasText: "logged out" }).waitFor();
    await footswitch.tap();
    await sheet.getByRole("heading", { name: "Enter the admin PIN" }).waitFor();
    assert.equal(pedal.daemon.engine.status().bypass, true, "a change without the PIN was made");
    await sheet.getByLabel("PIN", { exact: true }).fill("000000");
    await sheet.getByRole("button", { name: "Unlock" }).tap();
    await sheet.getByText("wrong PIN").waitFor();
    await screenshot(phone, "pin-login", { keepToasts: true });
    await sheet.getByLabel("PIN", { exact: true }).fill("808303");
    await sheet.getByRole("button", { name: "Unlock" }).tap();
    await sheet.waitFor({ state: "hidden" });
    await footswitch.tap();
    await waitUntil(() => !pedal.daemon.engine.status().bypass);

    assert.deepEqual(pageErrors, []);
    await phone.close();
  });
});

/** Bank "Gig": Clean (no amp, -3 dB) and Crunch (the Feather, uploaded here through the API). */
async function gigBank({ app }: TestPedal): Promise<{ clean: Preset; crunch: Preset }> {
  const model = (await app.inject({ method: "POST", url: "/api/models", ...multipart("Plexi.nam", await readFile(MODEL_FILES.feather)) })).json() as { id: string };
  const bank = (await app.inject({ method: "POST", url: "/api/banks", payload: { name: "Gig" } })).json() as Bank;
  const clean = (await app.inject({ method: "POST", url: "/api/presets", payload: { name: "Clean", bankId: bank.id, params: { outputLevelDb: -3 } } })).json() as Preset;
  const crunch = (await app.inject({ method: "POST", url: "/api/presets", payload: { name: "Crunch", bankId: bank.id, modelId: model.id, params: { eq: { mid: 7 } } } })).json() as Preset;
  return { clean, crunch };
}

async function expectPreset(page: Page, name: string): Promise<void> {
  await page.getByTestId("preset-name").filter({ hasText: new RegExp(`^${name}$`) }).waitFor();
}

/**
 * Presses and releases switch B on the mock GPIO; returns the time from the release to the page
 * showing `expected`, both read on the wall clock (the page notes the moment its text changes).
 */
async function footswitchLatency(page: Page, pedal: TestPedal, expected: string): Promise<number> {
  // Runs in the page: notes the wall-clock moment the preset name turns to `expected`.
  await page.evaluate(`{
    const target = document.querySelector("[data-testid=preset-name]");
    new MutationObserver(() => {
      if (target.textContent === ${JSON.stringify(expected)} && window.shownAtMs === undefined) window.shownAtMs = performance.timeOrigin + performance.now();
    }).observe(target, { childList: true, characterData: true, subtree: true });
  }`);
  pedal.gpio.edge({ gpio: 27, high: false, timeUs: systemClock.nowUs() });
  await new Promise((resolve) => setTimeout(resolve, 40));
  const releasedAtMs = performance.timeOrigin + performance.now();
  pedal.gpio.edge({ gpio: 27, high: true, timeUs: systemClock.nowUs() });
  await expectPreset(page, expected);
  const shownAtMs = await page.evaluate<number>("window.shownAtMs");
  return shownAtMs - releasedAtMs;
}

async function waitUntil(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const started = performance.now();
  while (!condition()) {
    if (performance.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** test-output/screenshots/<view>.png; toasts are tapped away first unless kept. */
async function screenshot(page: Page, view: string, options: { keepToasts?: boolean } = {}): Promise<void> {
  if (!options.keepToasts) {
    await page.evaluate('document.querySelectorAll(".toast").forEach((toast) => toast.click())');
  }
  await page.waitForTimeout(150);
  await page.screenshot({ path: join(SCREENSHOTS, `${view}.png`) });
}
