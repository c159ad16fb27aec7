// The page's side of the API contract: typed calls to the pedal's HTTP routes, uploads with
// progress, and the WebSocket with reconnection. Types come from the shared contract only.

import type {
  ApiError, AuthStatus, Bank, BankCreateRequest, BankUpdateRequest, IrInfo, IrList, LiveChange, LivePatchRequest, ModelInfo,
  ModelList, Preset, PresetCreateRequest, PresetsOverview, PresetUpdateRequest, ServerMessage, StageAction, Status,
} from "../../firmware/api-contract/index.js";

/** A refusal from the pedal, with its message for the player. */
export class RequestFailed extends Error {
  constructor(readonly statusCode: number, message: string, readonly code: string) {
    super(message);
  }

  /** The change needs the admin PIN (none given yet, or the session ended). */
  get needsPin(): boolean {
    return this.statusCode === 401 && this.code === "pin-required";
  }
}

let onPinRequired: () => void = () => {};

/** Who to tell when a change was refused for want of the admin PIN (the page opens the PIN sheet). */
export function whenPinRequired(listener: () => void): void {
  onPinRequired = listener;
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? null : JSON.stringify(body),
  });
  if (!response.ok) throw refusal(response.status, await response.text());
  return (response.status === 204 ? null : await response.json()) as T;
}

function refusal(statusCode: number, text: string): RequestFailed {
  const failure = failureOf(statusCode, text);
  if (failure.needsPin) onPinRequired();
  return failure;
}

function failureOf(statusCode: number, text: string): RequestFailed {
  try {
    const error = JSON.parse(text) as ApiError;
    return new RequestFailed(statusCode, error.message, error.code);
  } catch {
    return new RequestFailed(statusCode, `the pedal answered ${statusCode}`, "http");
  }
}

export const api = {
  authStatus: () => call<AuthStatus>("GET", "/api/auth/status"),
  setupPin: (pin: string) => call<AuthStatus>("POST", "/api/auth/setup", { pin }),
  login: (pin: string) => call<AuthStatus>("POST", "/api/auth/login", { pin }),
  logout: () => call<AuthStatus>("POST", "/api/auth/logout"),

  status: () => call<Status>("GET", "/api/status"),
  models: () => call<ModelList>("GET", "/api/models"),
  irs: () => call<IrList>("GET", "/api/irs"),
  presets: () => call<PresetsOverview>("GET", "/api/presets"),

  selectModel: (id: string, slim?: number | null) => call<LiveChange>("POST", `/api/models/${id}/select`, slim === undefined ? {} : { slim }),
  selectIr: (id: string) => call<LiveChange>("POST", `/api/irs/${id}/select`),
  clearModel: () => call<LiveChange>("DELETE", "/api/live/model"),
  clearIr: () => call<LiveChange>("DELETE", "/api/live/ir"),
  rename: (kind: "models" | "irs", id: string, name: string) => call<ModelInfo | IrInfo>("PATCH", `/api/${kind}/${id}`, { name }),
  remove: (kind: "models" | "irs", id: string) => call<null>("DELETE", `/api/${kind}/${id}`),

  patchLive: (patch: LivePatchRequest) => call<LiveChange>("PATCH", "/api/params", patch),
  action: (action: StageAction) => call<LiveChange>("POST", `/api/actions/${action}`),

  createPreset: (preset: PresetCreateRequest) => call<Preset>("POST", "/api/presets", preset),
  updatePreset: (id: string, patch: PresetUpdateRequest) => call<Preset>("PATCH", `/api/presets/${id}`, patch),
  deletePreset: (id: string) => call<null>("DELETE", `/api/presets/${id}`),
  activatePreset: (id: string, bankId?: string) => call<LiveChange>("POST", `/api/presets/${id}/activate`, bankId === undefined ? {} : { bankId }),
  createBank: (bank: BankCreateRequest) => call<Bank>("POST", "/api/banks", bank),
  updateBank: (id: string, patch: BankUpdateRequest) => call<Bank>("PATCH", `/api/banks/${id}`, patch),
  deleteBank: (id: string) => call<null>("DELETE", `/api/banks/${id}`),
};

/**
 * Uploads one file as multipart field `file`; `onProgress` gets 0..1 as the bytes leave the phone.
 * (fetch cannot report upload progress; XMLHttpRequest can.)
 */
export function upload<T extends ModelInfo | IrInfo>(kind: "models" | "irs", file: File, onProgress: (fraction: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", `/api/${kind}`);
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    request.onload = () => {
      if (request.status === 201) resolve(JSON.parse(request.responseText) as T);
      else reject(refusal(request.status, request.responseText));
    };
    request.onerror = () => reject(new RequestFailed(0, "the upload did not reach the pedal", "network"));
    const form = new FormData();
    form.append("file", file, file.name);
    request.send(form);
  });
}

export interface LiveConnection {
  close(): void;
}

/** The WebSocket: every message to `onMessage`, reconnecting after a second when the link drops. */
export function connectLive(onMessage: (message: ServerMessage) => void, onOnline: (online: boolean) => void): LiveConnection {
  let socket: WebSocket | null = null;
  let closed = false;
  let retry: ReturnType<typeof setTimeout> | null = null;
  const open = () => {
    socket = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`);
    socket.onopen = () => onOnline(true);
    socket.onmessage = (event) => onMessage(JSON.parse(String(event.data)) as ServerMessage);
    socket.onclose = () => {
      onOnline(false);
      if (!closed) retry = setTimeout(open, 1000);
    };
  };
  open();
  return {
    close() {
      closed = true;
      if (retry !== null) clearTimeout(retry);
      socket?.close();
    },
  };
}
