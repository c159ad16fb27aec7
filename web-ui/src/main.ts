// The phone page: a health strip on top, one screen at a time in the middle, a tab bar under the
// thumb. State arrives over the WebSocket; commands go over HTTP.

import { Toasts } from "./components/toast.js";
import { connectLive } from "./client.js";
import { h } from "./dom.js";
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

  constructor(private readonly store: Store) {
    this.element = h("header", { class: "health" }, this.link, h("span", { class: "brand" }, "namstomp"), this.load, this.xruns, this.temperature, this.throttle);
  }

  update(changed: ReadonlySet<StateKey>): void {
    const { online, status, meters } = this.store.state;
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

function start(): void {
  const root = document.getElementById("app")!;
  const store = new Store();
  const toasts = new Toasts();
  const context = new ViewContext(store, toasts);
  const views: View[] = [new StageView(context), modelView(context), irView(context), new ToneView(context), new TunerView(context), new PresetsView(context)];
  const health = new HealthStrip(store);
  const main = h("main", { class: "screen" }, ...views.map((view) => view.element));
  const tabs = views.map((view) =>
    h("a", { class: "tab", href: `#${view.id}`, "data-view": view.id }, h("span", { class: "tab-icon", "aria-hidden": "true" }, view.icon), view.label));
  root.replaceChildren(health.element, main, toasts.element, h("nav", { class: "tabs" }, ...tabs));

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
