// Presets, banks and setlists on disk (presets.json in the data directory, format in
// presets-schema.ts), and switching between them through the engine's click-free swaps.
// Lifecycle like every service: the constructor stores its dependencies, start() reads (and if
// needed migrates) the file and brings back the last active preset, stop() waits for pending
// writes. Main thread.

import { randomBytes } from "node:crypto";
import { readdir, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { AudioEngineApi, ChainParams, IrLoadRequest, ModelLoadRequest } from "../engine/api.js";
import { defaultChainParams, mergeChainParams } from "../engine/params.js";
import { isAtomicWriteLeftover } from "../util/atomic-write.js";
import {
  checkPresetReferences,
  emptyPresetsDocument,
  migratePresetsV0,
  PRESETS_FILE_VERSION,
  PresetsFileSchema,
  type Bank,
  type Preset,
  type PresetsDocument,
  type Setlist,
} from "./presets-schema.js";
import { loadVersionedFile, writeVersionedFile, type VersionedFormat } from "./versioned-file.js";

export type { Bank, Preset, PresetsDocument, Setlist } from "./presets-schema.js";

export const presetsFormat: VersionedFormat<PresetsDocument> = {
  currentVersion: PRESETS_FILE_VERSION,
  schema: PresetsFileSchema,
  migrations: { 0: migratePresetsV0 },
  unversionedIs: 0,
  check: checkPresetReferences,
};

export type PresetEngine = Pick<AudioEngineApi, "loadModel" | "unloadModel" | "loadIr" | "unloadIr" | "setParams" | "status">;

export interface PresetStoreLog {
  info(message: string): void;
  warn(message: string): void;
}

export interface PresetStoreDeps {
  /** presets.json in the data directory. */
  filePath: string;
  engine: PresetEngine;
  /** The model library's load request for a model id at a slim width (parsing happens there, off the audio path). */
  resolveModel(modelId: string, slim: number | null): Promise<ModelLoadRequest>;
  resolveIr(irId: string): Promise<IrLoadRequest>;
  log: PresetStoreLog;
}

export interface PresetInput {
  name: string;
  modelId?: string | null;
  slim?: number | null;
  irId?: string | null;
  /** Missing settings take the defaults. */
  params?: Partial<ChainParams>;
}

export type PresetStoreEvent =
  | { type: "changed" }
  | { type: "activated"; presetId: string }
  /** Loading the preset into the engine failed; the previous sound keeps playing. */
  | { type: "activation-failed"; presetId: string; message: string };

/** A request the store refuses (unknown id, empty bank…); the message says what to fix. */
export class PresetStoreError extends Error {
  override readonly name = "PresetStoreError";
}

function newId(prefix: string): string {
  return `${prefix}${randomBytes(5).toString("hex")}`;
}

export class PresetStore {
  private doc: PresetsDocument = emptyPresetsDocument();
  private started = false;
  private readonly listeners = new Set<(event: PresetStoreEvent) => void>();
  private writeChain: Promise<void> = Promise.resolve();
  private queuedWrite: Promise<void> | null = null;
  /** Latest preset asked for, and the loop applying it (rapid switching only loads the last one). */
  private wantedPresetId: string | null = null;
  private appliedPresetId: string | null = null;
  private applying: Promise<void> | null = null;

  constructor(private readonly deps: PresetStoreDeps) {}

  async start(): Promise<void> {
    const { filePath, log } = this.deps;
    await this.removeWriteLeftovers();
    const loaded = await loadVersionedFile(filePath, presetsFormat);
    this.doc = loaded?.document ?? emptyPresetsDocument();
    this.doc.setlists ??= [];
    if (loaded?.migratedFrom != null) log.info(`presets: migrated ${basename(filePath)} from version ${loaded.migratedFrom}; the old file is kept as ${basename(loaded.backupPath!)}`);
    this.started = true;
    const lastActive = this.doc.activePresetId;
    if (lastActive === null) return;
    try {
      await this.apply(lastActive);
    } catch (error) {
      // The pedal still starts (dry or with what the engine has); the UI shows why.
      log.warn(`presets: could not restore "${this.preset(lastActive).name}": ${(error as Error).message}`);
    }
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.applying?.catch(() => {});
    await this.writeChain.catch(() => {});
  }

  /** Listens to changes and activations; returns the function that stops listening. */
  subscribe(listener: (event: PresetStoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A copy of the whole document. */
  document(): PresetsDocument {
    return structuredClone(this.doc);
  }

  preset(id: string): Preset {
    const preset = this.doc.presets.find((p) => p.id === id);
    if (!preset) throw new PresetStoreError(`no preset with id "${id}"`);
    return structuredClone(preset);
  }

  // ── presets ──

  async createPreset(input: PresetInput): Promise<Preset> {
    this.requireStarted();
    const preset: Preset = {
      id: newId("p"),
      name: input.name,
      modelId: input.modelId ?? null,
      slim: input.slim ?? null,
      irId: input.irId ?? null,
      params: mergeChainParams(defaultChainParams(), input.params ?? {}),
    };
    await this.change((doc) => doc.presets.push(preset));
    return structuredClone(preset);
  }

  async updatePreset(id: string, patch: Partial<PresetInput>): Promise<Preset> {
    this.requireStarted();
    const current = this.preset(id);
    const updated: Preset = {
      ...current,
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.modelId !== undefined && { modelId: patch.modelId }),
      ...(patch.slim !== undefined && { slim: patch.slim }),
      ...(patch.irId !== undefined && { irId: patch.irId }),
      params: patch.params ? mergeChainParams(current.params, patch.params) : current.params,
    };
    await this.change((doc) => {
      doc.presets[doc.presets.findIndex((p) => p.id === id)] = updated;
    });
    return structuredClone(updated);
  }

  /** Removes the preset from the library, every bank and every setlist. */
  async deletePreset(id: string): Promise<void> {
    this.requireStarted();
    this.preset(id);
    await this.change((doc) => {
      doc.presets = doc.presets.filter((p) => p.id !== id);
      for (const list of [...doc.banks, ...(doc.setlists ?? [])]) list.presetIds = list.presetIds.filter((p) => p !== id);
      if (doc.activePresetId === id) doc.activePresetId = null;
    });
  }

  // ── banks and setlists (ordered lists of presets) ──

  async createBank(name: string, presetIds: string[] = []): Promise<Bank> {
    return this.createList("banks", newId("b"), name, presetIds);
  }

  async updateBank(id: string, patch: { name?: string; presetIds?: string[] }): Promise<Bank> {
    return this.updateList("banks", id, patch);
  }

  async deleteBank(id: string): Promise<void> {
    await this.deleteList("banks", id);
  }

  /** New order of the banks: a permutation of their ids. */
  async reorderBanks(bankIds: string[]): Promise<void> {
    this.requireStarted();
    const current = this.doc.banks.map((b) => b.id);
    if (bankIds.length !== current.length || [...bankIds].sort().join() !== [...current].sort().join()) {
      throw new PresetStoreError(`the new bank order must list each of the ${current.length} banks once`);
    }
    await this.change((doc) => {
      doc.banks = bankIds.map((id) => doc.banks.find((b) => b.id === id)!);
    });
  }

  async createSetlist(name: string, presetIds: string[] = []): Promise<Setlist> {
    return this.createList("setlists", newId("s"), name, presetIds);
  }

  async updateSetlist(id: string, patch: { name?: string; presetIds?: string[] }): Promise<Setlist> {
    return this.updateList("setlists", id, patch);
  }

  async deleteSetlist(id: string): Promise<void> {
    await this.deleteList("setlists", id);
  }

  /** The footswitches step through this setlist (null: back to the banks). */
  async useSetlist(setlistId: string | null): Promise<void> {
    this.requireStarted();
    if (setlistId !== null) this.list("setlists", setlistId);
    await this.change((doc) => {
      doc.activeSetlistId = setlistId;
    });
  }

  // ── playing ──

  /** Switches to a preset: model, IR and settings through the engine; remembered for the next boot. */
  async activate(presetId: string, bankId?: string): Promise<void> {
    this.requireStarted();
    this.preset(presetId);
    if (bankId !== undefined && !this.list("banks", bankId).presetIds.includes(presetId)) {
      throw new PresetStoreError(`bank "${this.list("banks", bankId).name}" does not hold preset "${this.preset(presetId).name}"`);
    }
    // The position moves at once, so quick presses step on from the newest request.
    const persisted = this.change((doc) => {
      doc.activePresetId = presetId;
      if (bankId !== undefined) doc.activeBankId = bankId;
    });
    const [applied, saved] = await Promise.allSettled([this.apply(presetId), persisted]);
    if (applied.status === "rejected") {
      if (this.doc.activePresetId === presetId) {
        await this.change((doc) => {
          doc.activePresetId = this.appliedPresetId;
        });
      }
      throw applied.reason;
    }
    if (saved.status === "rejected") throw saved.reason;
  }

  async nextPreset(): Promise<void> {
    await this.step(1);
  }

  async previousPreset(): Promise<void> {
    await this.step(-1);
  }

  async nextBank(): Promise<void> {
    await this.stepBank(1);
  }

  async previousBank(): Promise<void> {
    await this.stepBank(-1);
  }

  /** The 1-based slot of the current setlist or bank. */
  async selectSlot(slot: number): Promise<void> {
    const { name, presetIds } = this.navigationList();
    const presetId = presetIds[slot - 1];
    if (presetId === undefined) throw new PresetStoreError(`${name} has ${presetIds.length} preset${presetIds.length === 1 ? "" : "s"}, no slot ${slot}`);
    await this.activate(presetId);
  }

  /** What the footswitches step through: the active setlist, else the active bank, else all presets. */
  navigationList(): { name: string; presetIds: string[] } {
    const doc = this.doc;
    if (doc.activeSetlistId != null) {
      const setlist = this.list("setlists", doc.activeSetlistId);
      return { name: `setlist "${setlist.name}"`, presetIds: setlist.presetIds };
    }
    const bank = this.currentBank();
    if (bank) return { name: `bank "${bank.name}"`, presetIds: bank.presetIds };
    return { name: "the preset library", presetIds: doc.presets.map((p) => p.id) };
  }

  private currentBank(): Bank | null {
    const doc = this.doc;
    const active = doc.activeBankId == null ? undefined : doc.banks.find((b) => b.id === doc.activeBankId);
    return active ?? doc.banks.find((b) => doc.activePresetId !== null && b.presetIds.includes(doc.activePresetId)) ?? doc.banks[0] ?? null;
  }

  private async step(direction: 1 | -1): Promise<void> {
    this.requireStarted();
    const { name, presetIds } = this.navigationList();
    if (presetIds.length === 0) throw new PresetStoreError(`${name} holds no presets`);
    const position = this.doc.activePresetId === null ? -1 : presetIds.indexOf(this.doc.activePresetId);
    const next = position < 0 ? (direction === 1 ? 0 : presetIds.length - 1) : (position + direction + presetIds.length) % presetIds.length;
    await this.activate(presetIds[next]!);
  }

  /** Next/previous bank (wrapping round), starting on its first preset; leaves any setlist. */
  private async stepBank(direction: 1 | -1): Promise<void> {
    this.requireStarted();
    const banks = this.doc.banks;
    if (banks.length === 0) throw new PresetStoreError("there are no banks");
    const current = this.currentBank();
    const position = current ? banks.indexOf(current) : -1;
    const bank = banks[(position + direction + banks.length) % banks.length]!;
    if (bank.presetIds.length === 0) throw new PresetStoreError(`bank "${bank.name}" holds no presets`);
    this.doc.activeSetlistId = null;
    await this.activate(bank.presetIds[0]!, bank.id);
  }

  /**
   * Brings the engine to `presetId`. Only the latest request is loaded: switching five presets
   * ahead while one is loading loads the fifth next. Resolves once the latest request plays.
   */
  private apply(presetId: string): Promise<void> {
    this.wantedPresetId = presetId;
    this.applying ??= (async () => {
      try {
        while (this.wantedPresetId !== null && this.wantedPresetId !== this.appliedPresetId) {
          const target = this.preset(this.wantedPresetId);
          try {
            await this.loadIntoEngine(target);
          } catch (error) {
            // Superseded while loading: what counts is the newer request.
            if (this.wantedPresetId !== target.id) continue;
            this.wantedPresetId = this.appliedPresetId;
            const message = (error as Error).message;
            this.emit({ type: "activation-failed", presetId: target.id, message });
            throw new PresetStoreError(`preset "${target.name}": ${message}`, { cause: error });
          }
          this.appliedPresetId = target.id;
          this.deps.log.info(`presets: playing "${target.name}"`);
          this.emit({ type: "activated", presetId: target.id });
        }
      } finally {
        this.applying = null;
      }
    })();
    return this.applying;
  }

  /**
   * Resolves the model and IR first (a missing file fails before anything changes), then swaps
   * what differs from what plays (the engine crossfades), then sets the chain.
   */
  private async loadIntoEngine(preset: Preset): Promise<void> {
    const { engine, resolveModel, resolveIr } = this.deps;
    const playing = engine.status();
    const modelPlaying = preset.modelId === null ? playing.model === null : playing.model?.id === preset.modelId && playing.model.slim === preset.slim;
    const irPlaying = preset.irId === null ? playing.ir === null : playing.ir?.id === preset.irId;
    const [modelRequest, irRequest] = await Promise.all([
      modelPlaying || preset.modelId === null ? null : resolveModel(preset.modelId, preset.slim),
      irPlaying || preset.irId === null ? null : resolveIr(preset.irId),
    ]);
    await Promise.all([
      modelPlaying ? null : modelRequest ? engine.loadModel(modelRequest) : engine.unloadModel(),
      irPlaying ? null : irRequest ? engine.loadIr(irRequest) : engine.unloadIr(),
    ]);
    engine.setParams(preset.params);
  }

  private list(kind: "banks" | "setlists", id: string): Bank {
    const list = (this.doc[kind] ?? []).find((l) => l.id === id);
    if (!list) throw new PresetStoreError(`no ${kind === "banks" ? "bank" : "setlist"} with id "${id}"`);
    return list;
  }

  private checkPresetIds(presetIds: string[]): void {
    for (const id of presetIds) this.preset(id);
  }

  private async createList(kind: "banks" | "setlists", id: string, name: string, presetIds: string[]): Promise<Bank> {
    this.requireStarted();
    this.checkPresetIds(presetIds);
    const list = { id, name, presetIds: [...presetIds] };
    await this.change((doc) => (doc[kind] ??= []).push(list));
    return structuredClone(list);
  }

  private async updateList(kind: "banks" | "setlists", id: string, patch: { name?: string; presetIds?: string[] }): Promise<Bank> {
    this.requireStarted();
    const current = this.list(kind, id);
    if (patch.presetIds) this.checkPresetIds(patch.presetIds);
    const updated = { ...current, ...(patch.name !== undefined && { name: patch.name }), ...(patch.presetIds && { presetIds: [...patch.presetIds] }) };
    await this.change((doc) => {
      const lists = doc[kind]!;
      lists[lists.findIndex((l) => l.id === id)] = updated;
    });
    return structuredClone(updated);
  }

  private async deleteList(kind: "banks" | "setlists", id: string): Promise<void> {
    this.requireStarted();
    this.list(kind, id);
    await this.change((doc) => {
      doc[kind] = doc[kind]!.filter((l) => l.id !== id);
      if (kind === "banks" && doc.activeBankId === id) doc.activeBankId = null;
      if (kind === "setlists" && doc.activeSetlistId === id) doc.activeSetlistId = null;
    });
  }

  /**
   * Applies `edit` to a copy, validates it (schema + references) and only then adopts it and
   * writes it. Writes are serialised; edits made while one is waiting share the next write.
   */
  private async change(edit: (doc: PresetsDocument) => void): Promise<void> {
    const next = structuredClone(this.doc);
    edit(next);
    const problem = checkPresetReferences(next)[0];
    if (problem) throw new PresetStoreError(`${problem.path}: ${problem.message}`);
    this.doc = next;
    this.emit({ type: "changed" });
    await this.save();
  }

  private save(): Promise<void> {
    if (this.queuedWrite) return this.queuedWrite;
    const write = this.writeChain
      .catch(() => {})
      .then(() => {
        this.queuedWrite = null;
        return writeVersionedFile(this.deps.filePath, presetsFormat, this.doc);
      });
    this.queuedWrite = write;
    this.writeChain = write;
    return write;
  }

  private emit(event: PresetStoreEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.deps.log.warn(`presets: a listener failed on ${event.type}: ${(error as Error).message}`);
      }
    }
  }

  /** Temporary files of writes a power cut interrupted (the real file is intact). */
  private async removeWriteLeftovers(): Promise<void> {
    const directory = dirname(this.deps.filePath);
    const prefix = `.${basename(this.deps.filePath)}.`;
    let names: string[];
    try {
      names = await readdir(directory);
    } catch {
      return;
    }
    for (const name of names) {
      if (name.startsWith(prefix) && isAtomicWriteLeftover(name)) await rm(join(directory, name), { force: true });
    }
  }

  private requireStarted(): void {
    if (!this.started) throw new PresetStoreError("the preset store is not started");
  }
}
