// build(t): the whole daemon as `namstomp start` wires it — real audio engine on the virtual
// device, real libraries and presets in a temporary data directory, footswitches on the mock GPIO
// backend — listening on 127.0.0.1 at a free port, stopped and removed when the test ends. Tests
// talk to it with app.inject() / app.injectWS(), or over the network (the browser test).

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import type { FastifyInstance, InjectOptions } from "fastify";
import { pino } from "pino";
import type { CalibrationPoint } from "../../firmware/budget/calibration.js";
import { validateSettings } from "../../firmware/config/load-settings.js";
import { MockGpioBackend } from "../../firmware/controls/mock-backend.js";
import { Daemon } from "../../firmware/main.js";
import { hashPin } from "../../firmware/security/pin-hash.js";

/** The admin PIN of every test pedal. */
export const TEST_ADMIN_PIN = "246813";
const cheapPinHash = hashPin(TEST_ADMIN_PIN, { logN: 10, r: 8, p: 1 });
/** TEST_ADMIN_PIN hashed cheaply (2^10): the format and the checks are the real ones, the cost is not. */
export const testAdminPinHash = (): Promise<string> => cheapPinHash;

/**
 * DSP speeds like a Raspberry Pi 4's (about 14 × this x86 machine): A1 Standard and a full-width
 * A2 exceed the default 60 % budget at 48 kHz; Lite, Feather, Nano and a slimmed A2 fit.
 */
export const PI4_LIKE_CALIBRATION: CalibrationPoint[] = [
  { id: "a1-standard", label: "A1 Standard", family: "wavenet-a1", multiplyAddsPerSample: 13321, nsPerSample: 14_000 },
  { id: "a1-lite", label: "A1 Lite", family: "wavenet-a1", multiplyAddsPerSample: 6229, nsPerSample: 8_000 },
  { id: "a1-feather", label: "A1 Feather", family: "wavenet-a1", multiplyAddsPerSample: 2809, nsPerSample: 3_900 },
  { id: "a1-nano", label: "A1 Nano", family: "wavenet-a1", multiplyAddsPerSample: 733, nsPerSample: 1_800 },
  { id: "a2-8ch", label: "A2 8 channels", family: "wavenet-a2", multiplyAddsPerSample: 11777, nsPerSample: 13_500 },
  { id: "a2-3ch", label: "A2 3 channels", family: "wavenet-a2", multiplyAddsPerSample: 1732, nsPerSample: 3_300 },
  { id: "lstm-standard", label: "LSTM 1×24", family: "lstm", multiplyAddsPerSample: 2496, nsPerSample: 6_000 },
  { id: "lstm-lite", label: "LSTM 2×8", family: "lstm", multiplyAddsPerSample: 856, nsPerSample: 2_800 },
];

export interface TestPedal {
  daemon: Daemon;
  app: FastifyInstance;
  gpio: MockGpioBackend;
  dataDir: string;
  /**
   * The admin session `app.inject` sends: name=value, as a Cookie header carries it; null when the
   * test asked for a pedal without a PIN (`security: { pinHash: null }`: first-use setup open).
   */
  adminCookie: string | null;
}

export interface BuildOptions {
  /** Settings on top of the test defaults (virtual audio, mock footswitches, silent log). */
  settings?: Record<string, unknown>;
  calibration?: CalibrationPoint[];
  /** An existing data directory (kept afterwards); default: a new temporary one, removed. */
  dataDir?: string;
}

export async function build(t: TestContext, options: BuildOptions = {}): Promise<TestPedal> {
  const dataDir = options.dataDir ?? await mkdtemp(join(tmpdir(), "namstomp-server-"));
  const extra = options.settings ?? {};
  const section = (name: string) => (extra[name] ?? {}) as Record<string, unknown>;
  const settings = validateSettings({
    ...extra,
    dataDir,
    server: { host: "127.0.0.1", port: 0, logLevel: "silent", ...section("server") },
    audio: { backend: "virtual", ...section("audio") },
    controls: { keyboard: false, footswitches: { backend: "mock" }, ...section("controls") },
    security: { pinHash: await testAdminPinHash(), ...section("security") },
  }, "test settings");
  const gpio = new MockGpioBackend();
  const daemon = new Daemon({
    settings,
    systemd: {},
    uvThreadpoolSize: 4,
    logger: pino({ level: settings.server.logLevel }),
    overrides: { gpioBackend: gpio, fixedCalibration: options.calibration ?? PI4_LIKE_CALIBRATION, keyboard: null },
  });
  t.after(async () => {
    await daemon.stop();
    if (options.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
  });
  await daemon.start();
  if (settings.security.pinHash === null) return { daemon, app: daemon.http, gpio, dataDir, adminCookie: null };
  const login = await daemon.http.inject({ method: "POST", url: "/api/auth/login", payload: { pin: TEST_ADMIN_PIN } });
  assert.equal(login.statusCode, 200, `test pedal login: ${login.body}`);
  const cookie = String(login.headers["set-cookie"]).split(";")[0]!;
  // Requests go in as the logged-in admin unless a test sends its own cookie header.
  const app = Object.create(daemon.http) as FastifyInstance;
  app.inject = ((options: InjectOptions) => daemon.http.inject({ ...options, headers: { cookie, ...options.headers } })) as FastifyInstance["inject"];
  return { daemon, app, gpio, dataDir, adminCookie: cookie };
}

/** A multipart/form-data body with one file in the field `field` (default "file"). */
export function multipart(fileName: string, bytes: Uint8Array, field = "file"): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----namstomp${Math.random().toString(16).slice(2)}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${fileName}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { payload: Buffer.concat([head, bytes, tail]), headers: { "content-type": `multipart/form-data; boundary=${boundary}` } };
}
