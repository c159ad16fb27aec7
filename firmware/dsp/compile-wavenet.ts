// Compiles a WaveNet (nam-format.md section 4) into a DSP program. Control thread only.
// Weights are consumed in exactly the file order of section 4.5.

import type { FilmSpec, WaveNetConfig, WaveNetLayerArraySpec } from "../nam/model.js";
import { OP_ACTIVATE, OP_COPY, OP_FILM, OP_GATE, OP_ZERO } from "./abi.js";
import type { TanhMode } from "./contract.js";
import { emitConv, packConv, packRows, resolveActivation, WeightReader } from "./packing.js";
import { f32Arg, type ProgramBuilder, type SignalHandle } from "./program-builder.js";

interface ArrayOutputs {
  stream: SignalHandle;
  head: SignalHandle;
}

/** Shared scratch signals, sized for the widest layer. */
interface Scratch {
  z: SignalHandle;
  gated: SignalHandle;
  film: SignalHandle;
  condFilm: SignalHandle;
  /** Intermediate 1x1 results that a FiLM modulates before they are added somewhere. */
  temp: SignalHandle;
}

class WaveNetCompiler {
  private readonly reader: WeightReader;

  constructor(
    private readonly builder: ProgramBuilder,
    private readonly config: WaveNetConfig,
    weights: Float32Array,
    source: string,
    private readonly tanh: TanhMode,
  ) {
    this.reader = new WeightReader(weights, source);
  }

  /** Emits the whole network reading `input` with condition `condition`; returns the output signal. */
  compile(input: SignalHandle, condition: SignalHandle): SignalHandle {
    const scratch = this.allocateScratch(condition.rows);
    let stream = input;
    let previousHead: SignalHandle | null = null;
    this.config.layerArrays.forEach((array, index) => {
      const isLast = index === this.config.layerArrays.length - 1;
      const out = this.compileArray(array, stream, condition, previousHead, scratch, isLast);
      stream = out.stream;
      previousHead = out.head;
    });
    const head = previousHead as unknown as SignalHandle;
    const scaled = this.builder.signal(head.rows);
    this.builder.op(OP_COPY, scaled, 0, head, 0, head.rows, f32Arg(this.config.headScale), false);
    const output = this.config.postHead ? this.compilePostHead(scaled) : scaled;
    this.reader.take(1); // head_scale: already in config.headScale (the last weight)
    if (this.reader.remaining !== 0) throw new Error(`${this.reader.remaining} weights left over after compiling`);
    return output;
  }

  private allocateScratch(conditionRows: number): Scratch {
    let zRows = 1;
    let gatedRows = 1;
    let filmRows = 1;
    for (const array of this.config.layerArrays) {
      const gatedAny = array.layers.some((l) => l.gating !== "none");
      zRows = Math.max(zRows, 2 * array.bottleneck, array.channels);
      if (gatedAny) gatedRows = Math.max(gatedRows, array.bottleneck);
      filmRows = Math.max(filmRows, 2 * Math.max(2 * array.bottleneck, array.channels, array.head1x1.outChannels, conditionRows));
    }
    return {
      z: this.builder.signal(zRows),
      gated: this.builder.signal(gatedRows),
      film: this.builder.signal(filmRows),
      condFilm: this.builder.signal(conditionRows),
      temp: this.builder.signal(zRows + filmRows),
    };
  }

  /** FiLM(u rows) from the condition: a 1x1 conv to scale(+shift) rows, then u ← u·scale (+ shift). */
  private applyFilm(
    film: FilmSpec | null, target: SignalHandle, targetRow: number, rows: number,
    condition: SignalHandle, scratch: Scratch,
  ): void {
    if (!film) return;
    const scaleShiftRows = (film.shift ? 2 : 1) * rows;
    const conv = packConv(this.builder, this.reader.take(condition.rows * scaleShiftRows / film.groups),
      condition, condition.rows, scaleShiftRows, 1, 1, film.groups);
    const bias = packRows(this.builder, this.reader.take(scaleShiftRows));
    emitConv(this.builder, { dst: scratch.film, src: condition, conv, bias });
    this.builder.op(OP_FILM, target, targetRow, rows, scratch.film, film.shift);
  }

  private compileArray(
    array: WaveNetLayerArraySpec, input: SignalHandle, condition: SignalHandle,
    previousHead: SignalHandle | null, scratch: Scratch, isLastArray: boolean,
  ): ArrayOutputs {
    const b = this.builder;
    const channels = array.channels;
    const bottleneck = array.bottleneck;
    const headWidth = array.head1x1.active ? array.head1x1.outChannels : bottleneck;
    const headHistory = array.head.dilation * (array.head.kernelSize - 1);
    const accumulator = b.signal(headWidth, headHistory);

    // Layer inputs: stream[l] feeds layer l's dilated conv, so it keeps that conv's history.
    const streams = array.layers.map((layer) => b.signal(channels, layer.dilation * (layer.kernelSize - 1)));
    const arrayOut = b.signal(channels);

    const rechannel = packConv(b, this.reader.take(array.inputSize * channels), input, array.inputSize, channels, 1, 1);
    emitConv(b, { dst: streams[0]!, src: input, conv: rechannel });
    if (previousHead) b.op(OP_COPY, accumulator, 0, previousHead, 0, headWidth, f32Arg(1), false);
    else b.op(OP_ZERO, accumulator, 0, headWidth);

    array.layers.forEach((layer, l) => {
      const x = streams[l]!;
      const next = l + 1 < streams.length ? streams[l + 1]! : arrayOut;
      const gateRows = layer.gating === "none" ? bottleneck : 2 * bottleneck;
      const skipResidual = isLastArray && l === array.layers.length - 1;

      // Weight order per layer (section 4.5): conv, mixin, layer1x1, head1x1, then the FiLMs.
      const convWeights = this.reader.take(channels * gateRows * layer.kernelSize / array.groupsInput);
      const convBias = packRows(b, this.reader.take(gateRows));
      const mixinWeights = this.reader.take(condition.rows * gateRows / array.groupsInputMixin);
      const layer1x1Weights = array.layer1x1.active ? this.reader.take(bottleneck * channels / array.layer1x1.groups) : null;
      const layer1x1Bias = array.layer1x1.active ? this.reader.take(channels) : null;
      const head1x1Weights = array.head1x1.active ? this.reader.take(bottleneck * headWidth / array.head1x1.groups) : null;
      const head1x1Bias = array.head1x1.active ? this.reader.take(headWidth) : null;
      const films = array.films;

      // 1-2: conv_pre_film modulates a copy of the input; the conv's history holds the modulated
      // signal while the residual below still adds the unmodulated x.
      let convInput = x;
      if (films.convPre) {
        convInput = b.signal(channels, layer.dilation * (layer.kernelSize - 1));
        b.op(OP_COPY, convInput, 0, x, 0, channels, f32Arg(1), false);
        this.applyFilm(films.convPre, convInput, 0, channels, condition, scratch);
      }
      const conv = packConv(b, convWeights, convInput, channels, gateRows, layer.kernelSize, layer.dilation,
        array.groupsInput);
      const fuseMixin = condition.rows === 1 && !films.inputMixinPre && !films.inputMixinPost && !films.convPost;
      // Every A1 layer: conv, bias and the one-row mixin in one pass.
      emitConv(b, {
        dst: scratch.z, src: convInput, conv, bias: convBias,
        mix: fuseMixin ? { weights: packRows(b, mixinWeights), condition } : null,
      });
      // 3-7: the input mixin, with its optional FiLMs, added to the conv output.
      this.applyFilm(films.convPost, scratch.z, 0, gateRows, condition, scratch);
      if (!fuseMixin) this.emitMixin(mixinWeights, gateRows, array, condition, scratch);
      // 8-10: activation (plain, gated or blended) and its FiLMs. h = z rows [0, B) or the gated scratch.
      this.applyFilm(films.activationPre, scratch.z, 0, gateRows, condition, scratch);
      const primary = resolveActivation(b, layer.activation, this.tanh, bottleneck);
      const headDirect = !array.head1x1.active && !films.activationPost;
      let h = scratch.z;
      if (layer.gating === "none") {
        b.op(OP_ACTIVATE, scratch.z, 0, bottleneck, primary.code, primary.params, headDirect ? accumulator : null, 0);
      } else {
        const secondary = resolveActivation(b, layer.secondaryActivation!, this.tanh, bottleneck);
        b.op(OP_GATE, scratch.gated, 0, scratch.z, bottleneck, primary.code, primary.params, secondary.code,
          secondary.params, layer.gating === "blended");
        h = scratch.gated;
      }
      this.applyFilm(films.activationPost, h, 0, bottleneck, condition, scratch);
      if (layer.gating !== "none" && headDirect) b.op(OP_COPY, accumulator, 0, h, 0, bottleneck, f32Arg(1), true);

      // 11: residual. layer1x1 inactive passes the input through unchanged (core quirk).
      if (array.layer1x1.active) {
        if (!skipResidual || films.layer1x1Post) {
          const residual = packConv(b, layer1x1Weights!, h, bottleneck, channels, 1, 1, array.layer1x1.groups);
          const residualBias = packRows(b, layer1x1Bias!);
          if (films.layer1x1Post && layer.gating === "blended") {
            // FiLM applies to the 1x1 output only (before the residual add): compute r, modulate, add x.
            emitConv(b, { dst: next, src: h, conv: residual, bias: residualBias });
            this.applyFilm(films.layer1x1Post, next, 0, channels, condition, scratch);
            b.op(OP_COPY, next, 0, x, 0, channels, f32Arg(1), true);
          } else {
            if (films.layer1x1Post) this.skipFilm(films.layer1x1Post, channels, condition.rows);
            emitConv(b, { dst: next, src: h, conv: residual, bias: residualBias, init: x });
          }
        }
      } else if (!skipResidual) {
        b.op(OP_COPY, next, 0, x, 0, channels, f32Arg(1), false);
      }

      // 12: skip branch into the head accumulator.
      if (array.head1x1.active) {
        const head1x1 = packConv(b, head1x1Weights!, h, bottleneck, headWidth, 1, 1, array.head1x1.groups);
        const head1x1BiasRows = packRows(b, head1x1Bias!);
        if (films.head1x1Post) {
          emitConv(b, { dst: scratch.temp, src: h, conv: head1x1, bias: head1x1BiasRows });
          this.applyFilm(films.head1x1Post, scratch.temp, 0, headWidth, condition, scratch);
          b.op(OP_COPY, accumulator, 0, scratch.temp, 0, headWidth, f32Arg(1), true);
        } else {
          emitConv(b, { dst: accumulator, src: h, conv: head1x1, bias: head1x1BiasRows, init: accumulator });
        }
      } else if (!headDirect) {
        b.op(OP_COPY, accumulator, 0, h, 0, bottleneck, f32Arg(1), true);
      }
    });

    // Head rechannel: a causal conv over the accumulator.
    const headOut = b.signal(array.head.outChannels);
    const headConv = packConv(b, this.reader.take(headWidth * array.head.outChannels * array.head.kernelSize),
      accumulator, headWidth, array.head.outChannels, array.head.kernelSize, array.head.dilation);
    const headBias = array.head.bias ? packRows(b, this.reader.take(array.head.outChannels)) : null;
    emitConv(b, { dst: headOut, src: accumulator, conv: headConv, bias: headBias });
    return { stream: arrayOut, head: headOut };
  }

  /** Input mixin as its own 1x1 (multi-channel conditions, or mixin FiLMs), accumulated into z. */
  private emitMixin(
    mixinWeights: Float32Array, gateRows: number, array: WaveNetLayerArraySpec,
    condition: SignalHandle, scratch: Scratch,
  ): void {
    const b = this.builder;
    let mixinSource = condition;
    if (array.films.inputMixinPre) {
      b.op(OP_COPY, scratch.condFilm, 0, condition, 0, condition.rows, f32Arg(1), false);
      this.applyFilm(array.films.inputMixinPre, scratch.condFilm, 0, condition.rows, condition, scratch);
      mixinSource = scratch.condFilm;
    }
    const mixin = packConv(b, mixinWeights, mixinSource, condition.rows, gateRows, 1, 1, array.groupsInputMixin);
    if (array.films.inputMixinPost) {
      emitConv(b, { dst: scratch.temp, src: mixinSource, conv: mixin });
      this.applyFilm(array.films.inputMixinPost, scratch.temp, 0, gateRows, condition, scratch);
      b.op(OP_COPY, scratch.z, 0, scratch.temp, 0, gateRows, f32Arg(1), true);
    } else {
      emitConv(b, { dst: scratch.z, src: mixinSource, conv: mixin, init: scratch.z });
    }
  }

  /** The core loads layer1x1_post_film weights in non-blended layers but never applies them. */
  private skipFilm(film: FilmSpec, rows: number, conditionRows: number): void {
    const scaleShiftRows = (film.shift ? 2 : 1) * rows;
    this.reader.take(conditionRows * scaleShiftRows / film.groups + scaleShiftRows);
  }

  /** Post-stack head: blocks of (activation on the input, then a causal conv with bias). */
  private compilePostHead(input: SignalHandle): SignalHandle {
    const head = this.config.postHead!;
    let current = input;
    head.kernelSizes.forEach((kernelSize, index) => {
      const isLast = index === head.kernelSizes.length - 1;
      const inRows = index === 0 ? head.inChannels : head.channels;
      const outRows = isLast ? head.outChannels : head.channels;
      const activated = this.builder.signal(inRows, kernelSize - 1);
      const act = resolveActivation(this.builder, head.activation, this.tanh, inRows);
      this.builder.op(OP_COPY, activated, 0, current, 0, inRows, f32Arg(1), false);
      this.builder.op(OP_ACTIVATE, activated, 0, inRows, act.code, act.params, null, 0);
      const out = this.builder.signal(outRows);
      const conv = packConv(this.builder, this.reader.take(inRows * outRows * kernelSize), activated, inRows, outRows,
        kernelSize, 1);
      const bias = packRows(this.builder, this.reader.take(outRows));
      emitConv(this.builder, { dst: out, src: activated, conv, bias });
      current = out;
    });
    return current;
  }
}

/** Emits a WaveNet reading `input`; the condition is `condition` (the raw input, or a condition DSP's output). */
export function compileWaveNet(
  builder: ProgramBuilder, config: WaveNetConfig, weights: Float32Array, source: string,
  tanh: TanhMode, input: SignalHandle, condition: SignalHandle,
): SignalHandle {
  return new WaveNetCompiler(builder, config, weights, source, tanh).compile(input, condition);
}
