// Slimming (nam-format.md 2.5, 2.6): the model a slim ratio selects, as an ordinary NamModel.
// A slimmable WaveNet becomes a narrower WaveNet whose weights are cut out of the full list; a
// SlimmableContainer yields the submodel the ratio picks. Control thread only (allocates).

import { isSlimmableWaveNet, slimChannelsForRatio, slimLayerArrays } from "./classify.js";
import type { NamModel, SlimmableContainerConfig, WaveNetConfig, WaveNetLayerArraySpec } from "./model.js";
import { gateFactor, headInputWidth, loadedFilms } from "./weight-count.js";

/** The submodel a container runs at `ratio`: the first with ratio < max_value, else the last. */
export function selectSubmodel(config: SlimmableContainerConfig, ratio: number): NamModel {
  return (config.submodels.find((submodel) => ratio < submodel.maxValue) ?? config.submodels.at(-1)!).model;
}

/**
 * The model that runs at slim ratio `ratio` ∈ [0, 1] (the plugin's "Slim" knob); null = the core's
 * default when no ratio is set (full width, the last submodel). Other models come back unchanged.
 */
export function slimModel(model: NamModel, ratio: number | null): NamModel {
  const config = model.config;
  if (config.architecture === "SlimmableContainer") {
    return ratio === null ? config.submodels.at(-1)!.model : slimModel(selectSubmodel(config, ratio), ratio);
  }
  if (ratio === null || config.architecture !== "WaveNet" || !isSlimmableWaveNet(config)) return model;
  const slimArrays = slimLayerArrays(config.layerArrays, slimChannelsForRatio(config.layerArrays, ratio));
  const slimConfig: WaveNetConfig = { ...config, layerArrays: slimArrays };
  return { ...model, config: slimConfig, weights: sliceWaveNetWeights(config.layerArrays, slimArrays, model.weights) };
}

/**
 * Walks the full weight list in file order (4.5) and keeps, for every matrix, the entries whose
 * output row and input column fall inside the slim shape (all taps), and the leading slim rows of
 * every bias. Doubled outputs (gated conv and mixin, FiLM scale+shift) keep a prefix of the full
 * rows, as the core does — not the first rows of each half.
 */
function sliceWaveNetWeights(
  full: readonly WaveNetLayerArraySpec[], slim: readonly WaveNetLayerArraySpec[], weights: Float32Array,
): Float32Array {
  const kept: number[] = [];
  let offset = 0;
  const matrix = (rows: number, cols: number, taps: number, slimRows: number, slimCols: number) => {
    for (let o = 0; o < rows; o++) {
      for (let j = 0; j < cols; j++) {
        for (let k = 0; k < taps; k++) {
          if (o < slimRows && j < slimCols) kept.push(weights[offset]!);
          offset++;
        }
      }
    }
  };
  const bias = (rows: number, slimRows: number) => matrix(rows, 1, 1, slimRows, 1);

  full.forEach((f, index) => {
    const s = slim[index]!;
    const conditionRows = f.conditionSize;
    matrix(f.channels, f.inputSize, 1, s.channels, s.inputSize);
    f.layers.forEach((layer) => {
      const g = gateFactor(layer);
      matrix(g * f.bottleneck, f.channels, layer.kernelSize, g * s.bottleneck, s.channels);
      bias(g * f.bottleneck, g * s.bottleneck);
      matrix(g * f.bottleneck, conditionRows, 1, g * s.bottleneck, conditionRows);
      if (f.layer1x1.active) {
        matrix(f.channels, f.bottleneck, 1, s.channels, s.bottleneck);
        bias(f.channels, s.channels);
      }
      if (f.head1x1.active) {
        matrix(f.head1x1.outChannels, f.bottleneck, 1, f.head1x1.outChannels, s.bottleneck);
        bias(f.head1x1.outChannels, f.head1x1.outChannels);
      }
      const slimFilms = loadedFilms(s, layer);
      loadedFilms(f, layer).forEach((film, i) => {
        const factor = film.spec.shift ? 2 : 1;
        const slimWidth = slimFilms[i]!.width;
        matrix(factor * film.width, conditionRows, 1, factor * slimWidth, conditionRows);
        bias(factor * film.width, factor * slimWidth);
      });
    });
    matrix(f.head.outChannels, headInputWidth(f), f.head.kernelSize, s.head.outChannels, headInputWidth(s));
    if (f.head.bias) bias(f.head.outChannels, s.head.outChannels);
  });
  kept.push(weights[offset]!); // head_scale
  if (offset + 1 !== weights.length) throw new Error(`slimming consumed ${offset + 1} of ${weights.length} weights`);
  return Float32Array.from(kept);
}
