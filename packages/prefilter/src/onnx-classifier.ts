import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { ClassifierOutput, FraudClassifier } from "./fraud-classifier";
import { createFeatureExtractor, type FeatureSpace } from "./payment-features";

/** The ONNX Runtime package riskq loads when asked to; never a dependency of riskq itself. */
export const DEFAULT_ONNX_RUNTIME = "onnxruntime-node";

/** The model file asks for a runtime that is not installed. */
export class OnnxRuntimeMissing extends Error {
  readonly code = "onnx_runtime_missing";
  constructor(readonly runtime: string) {
    super(
      `an ONNX pre-filter model needs the ${runtime} package, which is not installed: list it under ` +
        `allowBuilds in pnpm-workspace.yaml as \`${runtime}: false\` (its install script only fetches ` +
        `CUDA binaries), then run \`npx -y pnpm@12.4.2 add -w ${runtime}\` ` +
        '(docs/prefilter.md, "Pre-filter"); or ' +
        "unset RISKQ_PREFILTER_ONNX_MODEL to use the built-in model",
    );
    this.name = "OnnxRuntimeMissing";
  }
}

/** The model file does not follow the input/output contract (docs/prefilter.md, "Pre-filter"). */
export class OnnxModelInvalid extends Error {
  readonly code = "onnx_model_invalid";
  constructor(message: string) {
    super(message);
    this.name = "OnnxModelInvalid";
  }
}

// The few parts of the onnxruntime-common API we use (both onnxruntime-node and -web offer them).
interface OrtTensor {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: unknown;
}
interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
}
interface OrtModule {
  InferenceSession: { create(model: Uint8Array): Promise<OrtSession> };
  Tensor: new (type: "float32", data: Float32Array, dims: readonly number[]) => OrtTensor;
}

export interface OnnxClassifierOptions {
  /** The .onnx file. */
  path: string;
  /** The feature space its inputs follow (the built-in weights' space, so the features are the same). */
  features: FeatureSpace;
  /** Package name of the runtime (default onnxruntime-node; onnxruntime-web works too). */
  runtime?: string;
}

async function importRuntime(runtime: string): Promise<OrtModule> {
  let loaded: { default?: OrtModule } & Partial<OrtModule>;
  try {
    // A variable specifier: the runtime is resolved when asked for, never at install or build time.
    loaded = await import(runtime);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") throw new OnnxRuntimeMissing(runtime);
    throw err;
  }
  const ort = (loaded.InferenceSession ? loaded : loaded.default) as OrtModule | undefined;
  if (!ort?.InferenceSession || !ort.Tensor) {
    throw new OnnxModelInvalid(`${runtime} does not look like an ONNX Runtime (no InferenceSession/Tensor)`);
  }
  return ort;
}

/** P(fraud) from the first float output: [n, 2] (classes legit, fraud: column 1) or [n] / [n, 1]. */
function probabilityOf(output: OrtTensor): number {
  const data = output.data as ArrayLike<number>;
  const last = output.dims.at(-1);
  const value = last === 2 ? data[1] : data[0];
  if (typeof value !== "number" || !(value >= 0 && value <= 1)) {
    throw new OnnxModelInvalid(`the model's output ${String(value)} is not a probability in [0, 1]`);
  }
  return value;
}

/**
 * A user's ONNX classifier as the pre-filter's model. Contract: one input, float32 [n, F], the
 * features of `features` in their stable order (F = its names' count, dense, 0 when inactive); its
 * first float32 output is P(fraud), as [n] / [n, 1] or [n, 2] (legit, fraud). Items out of the
 * space's distribution are not judged, as with the built-in model.
 */
export async function loadOnnxClassifier(options: OnnxClassifierOptions): Promise<FraudClassifier> {
  const runtime = options.runtime ?? DEFAULT_ONNX_RUNTIME;
  const ort = await importRuntime(runtime);
  const bytes = await readFile(options.path);
  const session = await ort.InferenceSession.create(bytes);
  const extractor = createFeatureExtractor(options.features);
  const position = new Map(extractor.names.map((name, i) => [name, i]));
  const width = extractor.names.length;
  const input = session.inputNames[0];
  if (input === undefined || session.outputNames.length === 0) {
    throw new OnnxModelInvalid("the model needs one input and at least one output");
  }

  const classify = async (item: Parameters<FraudClassifier["classify"]>[0]): Promise<ClassifierOutput> => {
    const features = extractor.extract(item);
    if ("outOfDistribution" in features) return features;
    const dense = new Float32Array(width);
    features.names.forEach((name, k) => {
      dense[position.get(name) as number] = features.values[k] as number;
    });
    const outputs = await session.run({ [input]: new ort.Tensor("float32", dense, [1, width]) });
    const output = session.outputNames.map((name) => outputs[name]).find((t) => t?.type === "float32");
    if (!output) throw new OnnxModelInvalid("the model has no float32 output");
    return { probability: probabilityOf(output), info_code: [] };
  };

  // One run at load: a model that does not fit the contract fails at start, not on every job.
  const probe = await session
    .run({ [input]: new ort.Tensor("float32", new Float32Array(width), [1, width]) })
    .catch((err: Error) => {
      throw new OnnxModelInvalid(`the model does not take float32 [1, ${width}] features: ${err.message}`);
    });
  const probeOutput = session.outputNames.map((name) => probe[name]).find((t) => t?.type === "float32");
  if (!probeOutput) throw new OnnxModelInvalid("the model has no float32 output");
  probabilityOf(probeOutput);

  return {
    version: `onnx-${createHash("sha256").update(bytes).digest("hex").slice(0, 8)}`,
    classify,
  };
}
