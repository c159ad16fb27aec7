// The bench's peer engine: @opendaw/nam-wasm, an emscripten (WASM) build of the official C++
// NeuralAmpModelerCore, run in this process. It is a devDependency, so it may be absent.
import { readFile } from "node:fs/promises";
import type { EmscriptenModuleOptions, NamWasmModule } from "@opendaw/nam-wasm";

export const PEER_PACKAGE = "@opendaw/nam-wasm";

/** One model loaded in the peer; `process` takes blocks of at most the peer's block size. */
export interface PeerModel {
  process(input: Float32Array, output: Float32Array): void;
  dispose(): void;
}

export interface OpendawPeer {
  /** e.g. "@opendaw/nam-wasm 1.2.0" */
  readonly description: string;
  /** Loads (and prewarms) a model from the `.nam` file's text; null when the peer rejects it. */
  loadModel(namJson: string): PeerModel | null;
  dispose(): void;
}

export type PeerLoadResult = { peer: OpendawPeer } | { unavailableReason: string };

/**
 * Instantiates the peer for blocks of `blockFrames` at `sampleRateHz`. Never throws: a missing or
 * broken peer only means the bench has nothing to compare against.
 */
export async function loadOpendawPeer(blockFrames: number, sampleRateHz: number): Promise<PeerLoadResult> {
  let peerPackage: typeof import("@opendaw/nam-wasm");
  try {
    peerPackage = await import(PEER_PACKAGE);
  } catch (error) {
    const notInstalled = (error as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND";
    return {
      unavailableReason: notInstalled
        ? `${PEER_PACKAGE} is not installed (it is a devDependency: run npm install)`
        : `${PEER_PACKAGE} failed to import: ${(error as Error).message}`,
    };
  }
  try {
    // Its emscripten glue was built for browsers: in Node it would fetch() nam.wasm from a file: URL,
    // which fails, so the binary is read here and handed over.
    const wasmUrl = new URL(import.meta.resolve(`${PEER_PACKAGE}/nam.wasm`));
    const wasmBinary = await readFile(wasmUrl);
    const manifest = JSON.parse(await readFile(new URL("../package.json", wasmUrl), "utf8")) as { version: string };
    const moduleOptions: EmscriptenModuleOptions = {
      wasmBinary: wasmBinary.buffer.slice(wasmBinary.byteOffset, wasmBinary.byteOffset + wasmBinary.byteLength),
    };
    const emscriptenModule = await peerPackage.createNamModule(moduleOptions);
    const nam = peerPackage.NamWasmModule.fromModule(emscriptenModule, blockFrames);
    // Module-wide settings; changing them later would reset and prewarm every loaded model again.
    nam.setSampleRate(sampleRateHz);
    nam.setMaxBufferSize(blockFrames);
    return { peer: wrapPeer(nam, `${PEER_PACKAGE} ${manifest.version}`) };
  } catch (error) {
    return { unavailableReason: `${PEER_PACKAGE} failed to start: ${(error as Error).message}` };
  }
}

function wrapPeer(nam: NamWasmModule, description: string): OpendawPeer {
  return {
    description,
    loadModel(namJson) {
      const instanceId = nam.createInstance();
      if (!nam.loadModel(instanceId, namJson)) {
        nam.destroyInstance(instanceId);
        return null;
      }
      return {
        process: (input, output) => nam.process(instanceId, input, output),
        dispose: () => nam.destroyInstance(instanceId),
      };
    },
    dispose: () => nam.dispose(),
  };
}
