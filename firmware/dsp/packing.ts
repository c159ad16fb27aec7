// Packing `.nam` weights into the layouts the WASM kernels read. Control thread only.

import type { ActivationSpec } from "../nam/model.js";
import { ActivationCode, OP_CONV } from "./abi.js";
import type { TanhMode } from "./contract.js";
import type { BlobHandle, ProgramBuilder, SignalHandle } from "./program-builder.js";

/** Consumes a model's flat weight list in file order. */
export class WeightReader {
  private offset = 0;
  constructor(private readonly weights: Float32Array, private readonly source: string) {}

  take(count: number): Float32Array {
    if (this.offset + count > this.weights.length) {
      throw new Error(`${this.source}: weights ran out at ${this.offset} (needed ${count} more)`);
    }
    const slice = this.weights.subarray(this.offset, this.offset + count);
    this.offset += count;
    return slice;
  }

  get remaining(): number {
    return this.weights.length - this.offset;
  }
}

export interface PackedConv {
  weights: BlobHandle;
  taps: BlobHandle;
  nTaps: number;
  outGroups: number;
}

/**
 * Conv(in→out, K, dilation, groups) with file weights W[o][j'][k] (j' inside the group) packed as
 * [outGroup of 4][tap][4 rows] for dsp-as/conv.ts. Groups are expanded to dense rows with zero
 * weights outside each group, so one kernel serves every grouping. Taps are byte offsets into
 * `source`, which the conv reads from `sourceRow`; tap k of input j reads x[t − (K−1−k)·dilation].
 */
export function packConv(
  builder: ProgramBuilder, flat: Float32Array, source: SignalHandle,
  inChannels: number, outChannels: number, kernelSize: number, dilation: number, groups = 1,
): PackedConv {
  const inPerGroup = inChannels / groups;
  const outPerGroup = outChannels / groups;
  const tapCount = inChannels * kernelSize;
  const nTaps = tapCount + (tapCount % 2);
  const outGroups = Math.ceil(outChannels / 4);
  const packed = new Float32Array(outGroups * nTaps * 4);
  for (let o = 0; o < outChannels; o++) {
    const group = Math.floor(o / outPerGroup);
    for (let jInGroup = 0; jInGroup < inPerGroup; jInGroup++) {
      const j = group * inPerGroup + jInGroup;
      for (let k = 0; k < kernelSize; k++) {
        const tap = j * kernelSize + k;
        packed[(Math.floor(o / 4) * nTaps + tap) * 4 + (o % 4)] = flat[(o * inPerGroup + jInGroup) * kernelSize + k]!;
      }
    }
  }
  const strideBytes = source.strideFrames * 4;
  const taps = new Int32Array(nTaps);
  for (let j = 0; j < inChannels; j++) {
    for (let k = 0; k < kernelSize; k++) {
      taps[j * kernelSize + k] = j * strideBytes - (kernelSize - 1 - k) * dilation * 4;
    }
  }
  return { weights: builder.blob(packed), taps: builder.blob(taps), nTaps, outGroups };
}

export interface ConvEmit {
  dst: SignalHandle;
  dstRow?: number;
  src: SignalHandle;
  conv: PackedConv;
  bias?: BlobHandle | null;
  /** Start from these rows instead of zero (residual add, or accumulate when init = dst). */
  init?: SignalHandle | null;
  initRow?: number;
  /** Fused one-row input mixin: per-output-row weights times the condition signal. */
  mix?: { weights: BlobHandle; condition: SignalHandle } | null;
}

/** Emits one OP_CONV (dsp-as/conv.ts convTapped) from named parts. */
export function emitConv(builder: ProgramBuilder, e: ConvEmit): void {
  builder.op(OP_CONV, e.dst, e.dstRow ?? 0, e.src, 0, e.conv.taps, e.conv.nTaps, e.conv.outGroups, e.conv.weights,
    e.bias ?? null, e.init ?? null, e.initRow ?? 0, e.mix?.weights ?? null, e.mix?.condition ?? null);
}

/** A per-row vector (bias, 1-row mixin weights) padded to whole groups of 4. */
export function packRows(builder: ProgramBuilder, values: Float32Array): BlobHandle {
  const padded = new Float32Array(Math.max(4, Math.ceil(values.length / 4) * 4));
  padded.set(values);
  return builder.blob(padded);
}

export interface ResolvedActivation {
  code: number;
  params: BlobHandle | null;
}

/**
 * Maps a file activation to a kernel code. "Tanh" follows the tanh mode (the plugin's fast tanh,
 * or exact); "Fasttanh" is always fast; Sigmoid is always exact, like the core's WaveNet.
 */
export function resolveActivation(
  builder: ProgramBuilder, spec: ActivationSpec, tanh: TanhMode, rows: number,
): ResolvedActivation {
  switch (spec.type) {
    case "Tanh":
      return { code: tanh === "fast" ? ActivationCode.tanhFast : ActivationCode.tanhExact, params: null };
    case "Fasttanh":
      return { code: ActivationCode.tanhFast, params: null };
    case "Hardtanh":
      return { code: ActivationCode.hardtanh, params: null };
    case "ReLU":
      return { code: ActivationCode.relu, params: null };
    case "LeakyReLU":
      return { code: ActivationCode.leakyRelu, params: builder.blob(Float32Array.of(spec.negativeSlope)) };
    case "PReLU": {
      const slopes = new Float32Array(Math.max(4, Math.ceil(rows / 4) * 4));
      for (let r = 0; r < rows; r++) slopes[r] = spec.negativeSlopes.length === 1 ? spec.negativeSlopes[0]! : spec.negativeSlopes[r]!;
      return { code: ActivationCode.prelu, params: builder.blob(slopes) };
    }
    case "Sigmoid":
      return { code: ActivationCode.sigmoid, params: null };
    case "SiLU":
      return { code: ActivationCode.silu, params: null };
    case "Hardswish":
      return { code: ActivationCode.hardswish, params: null };
    case "LeakyHardtanh":
      return {
        code: ActivationCode.leakyHardtanh,
        params: builder.blob(Float32Array.of(spec.minVal, spec.maxVal, spec.minSlope, spec.maxSlope)),
      };
    case "Softsign":
      return { code: ActivationCode.softsign, params: null };
  }
}
