/**
 * Writes the built-in logistic regression as an ONNX model:
 * `npx tsx packages/prefilter/scripts/export-onnx.ts out.onnx`. What it is for: a reference of the
 * input contract an own ONNX classifier must follow (docs/prefilter.md, "Pre-filter") — one float32 input
 * [n, F] with the features in `createFeatureExtractor(...).names` order, P(fraud) out — and a check of an
 * ONNX Runtime install: with RISKQ_PREFILTER_ONNX_MODEL=out.onnx and the built-in thresholds the
 * worker decides as with the built-in model (the graph, Sigmoid(features · W + b), runs in float32:
 * probabilities agree to ~2e-7, so only an item within that of a threshold could be decided apart).
 *
 * The protobuf is written by hand (a handful of ModelProto fields), so riskq needs no ONNX package.
 */
import { writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { builtInWeights } from "../src/built-in";
import { createFeatureExtractor } from "../src/payment-features";

const WIRE_VARINT = 0;
const WIRE_BYTES = 2;
/** onnx.TensorProto.DataType.FLOAT */
const FLOAT = 1;
const IR_VERSION = 8;
const OPSET = 13;

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

const key = (field: number, wire: number) => varint(field * 8 + wire);
const int = (field: number, value: number) => [...key(field, WIRE_VARINT), ...varint(value)];
const bytes = (field: number, body: readonly number[]) => [
  ...key(field, WIRE_BYTES),
  ...varint(body.length),
  ...body,
];
const text = (field: number, value: string) => bytes(field, [...Buffer.from(value, "utf8")]);

function floats(values: readonly number[]): number[] {
  const buffer = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => {
    buffer.writeFloatLE(v, i * 4);
  });
  return [...buffer];
}

/** TensorProto: dims, FLOAT, name, raw_data. */
const tensor = (name: string, dims: readonly number[], values: readonly number[]) => [
  ...dims.flatMap((d) => int(1, d)),
  ...int(2, FLOAT),
  ...text(8, name),
  ...bytes(9, floats(values)),
];

/** ValueInfoProto of a float tensor; a string dimension is symbolic (the batch size). */
function floatValue(name: string, dims: readonly (number | string)[]): number[] {
  const shape = dims.flatMap((d) => bytes(1, typeof d === "number" ? int(1, d) : text(2, d)));
  const tensorType = [...int(1, FLOAT), ...bytes(2, shape)];
  return [...text(1, name), ...bytes(2, bytes(1, tensorType))];
}

const node = (op: string, inputs: readonly string[], output: string) => [
  ...inputs.flatMap((i) => text(1, i)),
  ...text(2, output),
  ...text(3, `${op.toLowerCase()}_${output}`),
  ...text(4, op),
];

/** The ONNX bytes of the built-in model (features in the extractor's order). */
export function builtInModelOnnx(): Uint8Array {
  const weights = builtInWeights();
  const names = createFeatureExtractor(weights.features).names;
  const w = names.map((name) => weights.weights[name] ?? 0);
  const graph = [
    ...bytes(1, node("MatMul", ["features", "W"], "logit_raw")),
    ...bytes(1, node("Add", ["logit_raw", "b"], "logit")),
    ...bytes(1, node("Sigmoid", ["logit"], "probability")),
    ...text(2, `riskq-prefilter-${weights.version}`),
    ...bytes(5, tensor("W", [names.length, 1], w)),
    ...bytes(5, tensor("b", [1], [weights.intercept])),
    ...bytes(11, floatValue("features", ["n", names.length])),
    ...bytes(12, floatValue("probability", ["n", 1])),
  ];
  const model = [
    ...int(1, IR_VERSION),
    ...text(2, "riskq"),
    ...bytes(7, graph),
    ...bytes(8, [...text(1, ""), ...int(2, OPSET)]),
  ];
  return Uint8Array.from(model);
}

// Run as a script (not imported by the test): the entry file is this one.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const out = process.argv[2];
  if (!out) {
    process.stderr.write("usage: export-onnx.ts <out.onnx>\n");
    process.exit(2);
  }
  writeFileSync(out, builtInModelOnnx());
  const { thresholds } = builtInWeights();
  process.stdout.write(
    `wrote ${out}; use it with RISKQ_PREFILTER_ONNX_THRESHOLDS=${thresholds.legit_max},${thresholds.fraud_min}\n`,
  );
}
