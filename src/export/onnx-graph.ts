// Collects an ONNX graph while the exporter walks a model: nodes in execution order,
// weights as initializers (raw little-endian bytes), and unique value names derived from
// the module paths, so a node reads `layer1.0.conv1` like the state dict does.
import type { Tensor } from '../torch/index.js';
import { OnnxAttributeType, OnnxDataType, type OnnxAttribute, type OnnxNode, type OnnxTensor } from './onnx-proto.js';

/** A float attribute (plain numbers are ints, as most ONNX attributes are). */
export interface FloatAttr { float: number }
export interface FloatsAttr { floats: number[] }
export type AttrValue = number | number[] | string | FloatAttr | FloatsAttr;

export const float = (v: number): FloatAttr => ({ float: v });
export const floats = (v: number[]): FloatsAttr => ({ floats: v });

function attribute(name: string, v: AttrValue): OnnxAttribute {
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`ONNX attribute ${name}: ${v} is not an integer (wrap floats with float())`);
    return { name, type: OnnxAttributeType.INT, i: v };
  }
  if (typeof v === 'string') return { name, type: OnnxAttributeType.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: OnnxAttributeType.INTS, ints: v };
  if ('float' in v) return { name, type: OnnxAttributeType.FLOAT, f: v.float };
  return { name, type: OnnxAttributeType.FLOATS, floats: v.floats };
}

function littleEndianBytes(a: Float32Array | BigInt64Array): Uint8Array {
  // Typed arrays use the platform's byte order; ONNX raw_data is little-endian.
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('ONNX export needs a little-endian platform');
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

export class OnnxGraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private readonly used = new Set<string>();

  /** `base`, or `base_1`, `base_2`, ... when taken. */
  uniqueName(base: string): string {
    let name = base || 'value';
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Stores a float32 tensor (a weight, a buffer) as an initializer. */
  addTensor(base: string, t: Tensor): string {
    if (t.dtype !== 'float32') {
      throw new Error(`ONNX export: ${base} is ${t.dtype}; only float32 models export (convert with model.to('float32'))`);
    }
    const data = t.detach().cpu().contiguous().toTypedArray() as Float32Array;
    return this.addFloats(base, data, t.shape);
  }

  addFloats(base: string, data: Float32Array | readonly number[], dims: readonly number[]): string {
    const a = data instanceof Float32Array ? data : Float32Array.from(data);
    return this.addInitializer(base, OnnxDataType.FLOAT, littleEndianBytes(a), dims);
  }

  addInt64s(base: string, data: readonly number[]): string {
    return this.addInitializer(base, OnnxDataType.INT64, littleEndianBytes(BigInt64Array.from(data, (v) => BigInt(v))), [data.length]);
  }

  private addInitializer(base: string, dataType: number, rawData: Uint8Array, dims: readonly number[]): string {
    const name = this.uniqueName(base);
    this.initializers.push({ name, dims: [...dims], dataType, rawData });
    return name;
  }

  /** Appends a node with one output, named after `base`, and returns that name. */
  node(opType: string, inputs: string[], base: string, attrs: Record<string, AttrValue> = {}): string {
    const output = this.uniqueName(base);
    this.nodes.push({
      input: inputs, output: [output], name: `${opType}:${output}`, opType,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return output;
  }

  /** Renames the value a node produced (to give the graph output a fixed name). */
  renameOutput(from: string, to: string): void {
    const producer = this.nodes.find((n) => n.output.includes(from));
    if (!producer) throw new Error(`ONNX export: no node produces '${from}'`);
    if (this.used.has(to)) throw new Error(`ONNX export: the name '${to}' is already used in the graph`);
    this.used.add(to);
    producer.output = producer.output.map((o) => (o === from ? to : o));
    for (const n of this.nodes) n.input = n.input.map((i) => (i === from ? to : i));
  }
}
