// The walk over a module tree that writes ONNX. Each module class has an exporter that
// emits the nodes of its forward and also runs the module on the real sample value, so
// every step knows its exact input shape (what adaptive pooling and flattening need)
// without a shape-inference pass of its own.
import type { Tensor } from '../torch/index.js';
import type { AnyModule } from '../nn/index.js';
import type { OnnxGraphBuilder } from './onnx-graph.js';

/** A value of the graph: its ONNX name and the tensor visionlab computed for the sample input. */
export interface Traced {
  name: string;
  value: Tensor;
}

/** Emits a module's forward into the graph; `path` is its dotted name in the model ('' for the root). */
export type ModuleExporter<M extends AnyModule = AnyModule> = (module: M, x: Traced, ctx: ExportContext, path: string) => Traced;

type ModuleClass = abstract new (...args: never[]) => AnyModule;

const exporters = new Map<ModuleClass, ModuleExporter>();

/**
 * Teaches exportOnnx a module class. A subclass is exported by its parent's exporter only
 * when it keeps the parent's forward, since a new forward may compute something else.
 */
export function registerOnnxExporter<M extends AnyModule>(type: abstract new (...args: never[]) => M, exporter: ModuleExporter<M>): void {
  exporters.set(type, exporter as ModuleExporter);
}

/** A module the exporter has no ONNX translation for. */
export class UnsupportedModuleError extends Error {
  constructor(readonly path: string, readonly moduleClass: string, detail = 'no ONNX exporter is registered for this class') {
    super(`exportOnnx: cannot export module '${path || '(root)'}' (${moduleClass}): ${detail}`);
    this.name = 'UnsupportedModuleError';
  }
}

function exporterFor(module: AnyModule): ModuleExporter | undefined {
  for (let proto = Object.getPrototypeOf(module) as object | null; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    const type = proto.constructor as ModuleClass;
    const exporter = exporters.get(type);
    if (exporter) return module.forward === (type.prototype as AnyModule).forward ? exporter : undefined;
  }
  return undefined;
}

export class ExportContext {
  constructor(readonly graph: OnnxGraphBuilder) {}

  /** Exports `module`, found at `path` in the model, applied to x. */
  run(module: AnyModule, path: string, x: Traced): Traced {
    const exporter = exporterFor(module);
    if (!exporter) throw new UnsupportedModuleError(path, module.constructor.name);
    return exporter(module, x, this, path);
  }

  /** Exports the child `name` of `parent` (at `path`), which must exist. */
  child(parent: AnyModule, path: string, name: string, x: Traced): Traced {
    const m = parent.getModule(name);
    if (!m) throw new UnsupportedModuleError(path, parent.constructor.name, `it has no child '${name}'`);
    return this.run(m, join(path, name), x);
  }

  /** Fails with the module's path and class: for configurations ONNX cannot express. */
  unsupported(module: AnyModule, path: string, detail: string): never {
    throw new UnsupportedModuleError(path, module.constructor.name, detail);
  }
}

export function join(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}
