import type { ReceivedSpan } from "./otlp-spans";

/**
 * Just enough of the protobuf wire format to read an `http/protobuf` ExportTraceServiceRequest
 * (opentelemetry/proto/collector/trace/v1): the OTel packages ship an encoder only, and the test
 * must see what was really sent, not trust the encoder it checks.
 */
interface Field {
  no: number;
  /** A varint or fixed value, or a length-delimited field's bytes. */
  value: bigint | Buffer;
}

function readFields(buf: Buffer): Field[] {
  const fields: Field[] = [];
  let at = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = buf[at++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (at < buf.length) {
    const tag = Number(varint());
    const no = tag >>> 3;
    switch (tag & 7) {
      case 0:
        fields.push({ no, value: varint() });
        break;
      case 1:
        fields.push({ no, value: buf.readBigUInt64LE(at) });
        at += 8;
        break;
      case 2: {
        const length = Number(varint());
        fields.push({ no, value: buf.subarray(at, at + length) });
        at += length;
        break;
      }
      case 5:
        fields.push({ no, value: BigInt(buf.readUInt32LE(at)) });
        at += 4;
        break;
      default:
        throw new Error(`unsupported protobuf wire type ${tag & 7}`);
    }
  }
  return fields;
}

const bytesOf = (fields: Field[], no: number): Buffer[] =>
  fields.filter((f) => f.no === no && Buffer.isBuffer(f.value)).map((f) => f.value as Buffer);
const firstBytes = (fields: Field[], no: number): Buffer => bytesOf(fields, no)[0] ?? Buffer.alloc(0);
const firstNumber = (fields: Field[], no: number): bigint | undefined => {
  const value = fields.find((f) => f.no === no)?.value;
  return typeof value === "bigint" ? value : undefined;
};

/** AnyValue: string 1, bool 2, int 3, double 4, array 5 (values 1). */
function anyValue(buf: Buffer): unknown {
  const fields = readFields(buf);
  const field = fields[0];
  if (!field) return undefined;
  switch (field.no) {
    case 1:
      return (field.value as Buffer).toString("utf8");
    case 2:
      return field.value === 1n;
    case 3:
      return Number(BigInt.asIntN(64, field.value as bigint));
    case 4: {
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(field.value as bigint);
      return b.readDoubleLE(0);
    }
    case 5:
      return bytesOf(readFields(field.value as Buffer), 1).map(anyValue);
    default:
      return undefined;
  }
}

/** Repeated KeyValue (key 1, value 2). */
function attributes(list: Buffer[]): Record<string, unknown> {
  return Object.fromEntries(
    list.map((kv) => {
      const fields = readFields(kv);
      return [firstBytes(fields, 1).toString("utf8"), anyValue(firstBytes(fields, 2))];
    }),
  );
}

/** ExportTraceServiceRequest → ResourceSpans (1) → Resource (1) / ScopeSpans (2) → Span (2). */
export function spansFromProtobuf(body: Buffer): ReceivedSpan[] {
  return bytesOf(readFields(body), 1).flatMap((resourceSpans) => {
    const rs = readFields(resourceSpans);
    const service = String(attributes(bytesOf(readFields(firstBytes(rs, 1)), 1))["service.name"]);
    return bytesOf(rs, 2).flatMap((scopeSpans) =>
      bytesOf(readFields(scopeSpans), 2).map((spanBytes) => {
        // Span: trace_id 1, span_id 2, parent_span_id 4, name 5, kind 6, attributes 9, links 13.
        const span = readFields(spanBytes);
        return {
          service,
          traceId: firstBytes(span, 1).toString("hex"),
          spanId: firstBytes(span, 2).toString("hex"),
          parentSpanId: firstBytes(span, 4).toString("hex"),
          name: firstBytes(span, 5).toString("utf8"),
          kind: Number(firstNumber(span, 6) ?? 0n),
          attributes: attributes(bytesOf(span, 9)),
          // Link: trace_id 1, span_id 2, attributes 4.
          links: bytesOf(span, 13).map((linkBytes) => {
            const link = readFields(linkBytes);
            return {
              traceId: firstBytes(link, 1).toString("hex"),
              spanId: firstBytes(link, 2).toString("hex"),
              attributes: attributes(bytesOf(link, 4)),
            };
          }),
        };
      }),
    );
  });
}
