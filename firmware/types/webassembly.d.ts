// The part of the WebAssembly JS API the firmware uses. Node 20 has it at run time, but
// @types/node 20 declares it only with lib "dom", which a daemon should not pull in.
declare namespace WebAssembly {
  type BufferSource = ArrayBufferView | ArrayBuffer;
  class Module {
    constructor(bytes: BufferSource);
  }
  class Instance {
    constructor(module: Module, imports?: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
  class Memory {
    constructor(descriptor: { initial: number; maximum?: number; shared?: boolean });
    readonly buffer: ArrayBuffer;
    grow(deltaPages: number): number;
  }
  class Global {
    value: number;
  }
  function compile(bytes: BufferSource): Promise<Module>;
  function validate(bytes: BufferSource): boolean;
}
