// The phone page: a health strip on top, one screen at a time in the middle, a tab bar under the
// thumb. State arrives over the WebSocket; commands go over HTTP.

import { PinSheet } from "./components/pin-sheet.js";
import { Toasts } from "./components/toast.js";
import { api, connectLive, whenPinRequired } from "./client.js";
import { h, svg } from "./dom.js";
import { Store, type StateKey } from "./store.js";
import { irView, modelView } from "./views/library.js";
import { PresetsView } from "./views/presets.js";
import { StageView } from "./views/stage.js";
import { ToneView } from "./views/tone.js";
import { TunerView } from "./views/tuner.js";
import { percent, ViewContext, type View } from "./views/view.js";

/** DSP load above these (% of the period) turns the strip amber, then red. */
const LOAD_WARN_PERCENT = 50;
const LOAD_ALARM_PERCENT = 80;

class HealthStrip {
  readonly element: HTMLElement;
  private readonly link = h("span", { class: "led link-led", title: "connection" });
  private readonly load = h("span", { class: "health-item", "data-testid": "dsp-load" });
  private readonly xruns = h("span", { class: "health-item" });
  private readonly temperature = h("span", { class: "health-item" });
  private readonly throttle = h("span", { class: "health-item alarm", hidden: true }, "throttled");
  /** Locked: tap to enter the PIN; unlocked: tap to log out (a shared phone). */
  private readonly lock = h("button", { class: "lock", type: "button", "data-testid": "lock" });

  constructor(private readonly store: Store, onLockTap: () => void) {
    this.lock.addEventListener("click", onLockTap);
    this.element = h("header", { class: "health" }, this.link, h("span", { class: "brand" }, "namstomp"), this.load, this.xruns, this.temperature, this.throttle, this.lock);
  }

  update(changed: ReadonlySet<StateKey>): void {
    const { online, status, meters, auth } = this.store.state;
    if (changed.has("auth")) {
      const unlocked = auth?.loggedIn === true;
      this.lock.replaceChildren(padlock(unlocked));
      this.lock.title = unlocked ? "log out" : "enter the admin PIN";
      this.lock.setAttribute("aria-label", this.lock.title);
      this.lock.classList.toggle("unlocked", unlocked);
    }
    if (changed.has("online")) {
      this.link.classList.toggle("on", online);
      this.element.classList.toggle("offline", !online);
    }
    if (changed.has("meters") && meters) {
      this.load.textContent = `DSP ${percent(meters.dspLoadPercent)}`;
      this.load.classList.toggle("warn", meters.dspLoadPercent > LOAD_WARN_PERCENT);
      this.load.classList.toggle("alarm", meters.dspLoadPercent > LOAD_ALARM_PERCENT);
      this.xruns.textContent = `${meters.xruns} xrun${meters.xruns === 1 ? "" : "s"}`;
      this.xruns.classList.toggle("warn", meters.xruns > 0);
    }
    if (changed.has("status") && status) {
      const { cpuTempC, throttled, throttleFlags } = status.system;
      this.temperature.textContent = cpuTempC === null ? "" : `${cpuTempC.toFixed(0)} °C`;
      this.throttle.hidden = throttled !== true;
      this.throttle.title = throttleFlags.join(", ");
    }
  }
}

/** A padlock drawn inline (phones' emoji fonts differ; headless browsers have none). */
function padlock(open: boolean): SVGSVGElement {
  const shackle = open ? "M7 10V7a5 5 0 0 1 9.6-2" : "M7 10V7a5 5 0 0 1 10 0v3";
  return svg("svg", { viewBox: "0 0 24 24", width: 20, height: 20, "aria-hidden": "true" },
    svg("path", { d: shackle, fill: "none", stroke: "currentColor", "stroke-width": 2, "stroke-linecap": "round" }),
    svg("rect", { x: 4, y: 10, width: 16, height: 11, rx: 2.5, fill: "currentColor" }));
}

function start(): void {
  const root = document.getElementById("app")!;
  const store = new Store();
  const toasts = new Toasts();
  const context = new ViewContext(store, toasts);
  const views: View[] = [new StageView(context), modelView(context), irView(context), new ToneView(context), new TunerView(context), new PresetsView(context)];
  const pinSheet = new PinSheet((auth) => {
    store.set({ auth });
    toasts.show("unlocked: changes are yours");
  });
  const askForPin = (hint?: string) => {
    const auth = store.state.auth;
    if (auth?.locked) toasts.show("the pedal's stored PIN is damaged: fix or delete auth.json on the pedal (SECURITY.md)", "error");
    else pinSheet.open(auth?.pinSet === false ? "setup" : "login", hint);
  };
  const onLockTap = () => {
    if (store.state.auth?.loggedIn !== true) return askForPin();
    void context.run(async () => {
      store.set({ auth: await api.logout() });
      toasts.show("logged out: this phone can only watch now");
    });
  };
  whenPinRequired(() => {
    // The session ended (or never was): say so once, not once per refused request.
    if (store.state.auth) store.set({ auth: { ...store.state.auth, loggedIn: false } });
    if (!pinSheet.isOpen) askForPin("That change needs the admin PIN.");
  });
  const health = new HealthStrip(store, onLockTap);
  const main = h("main", { class: "screen" }, ...views.map((view) => view.element));
  const tabs = views.map((view) =>
    h("a", { class: "tab", href: `#${view.id}`, "data-view": view.id }, h("span", { class: "tab-icon", "aria-hidden": "true" }, view.icon), view.label));
  root.replaceChildren(health.element, main, toasts.element, h("nav", { class: "tabs" }, ...tabs), pinSheet.element);

  let current: View | null = null;
  const show = () => {
    const next = views.find((view) => `#${view.id}` === location.hash) ?? views[0]!;
    if (next === current) return;
    current?.hidden?.();
    current = next;
    for (const view of views) view.element.hidden = view !== next;
    for (const tab of tabs) tab.classList.toggle("selected", tab.dataset.view === next.id);
    next.shown?.();
  };
  window.addEventListener("hashchange", show);
  show();

  store.subscribe((changed) => {
    health.update(changed);
    for (const view of views) view.update(changed);
  });
  // First visit to a pedal without a PIN: the setup sheet; with a PIN but no session: the login
  // sheet, which "Watch only" closes.
  void context.run(async () => {
    const auth = await api.authStatus();
    store.set({ auth });
    if (!auth.loggedIn) askForPin();
  });
  const loadLists = () => Promise.all([store.refresh("models"), store.refresh("irs"), store.refresh("presets")])
    .catch((error: Error) => toasts.show(`could not load the library: ${error.message}`, "error"));
  connectLive(
    (message) => store.receive(message, (level, text) => toasts.show(text, level)),
    (online) => {
      store.set({ online });
      // After a reconnect the lists may have changed while the link was down.
      if (online) void loadLists();
    },
  );
}

start();
