// Export: visionlab models as ONNX files (and the static web page that runs them).
export { exportOnnx, exportOnnxFile, ONNX_OPSET, ONNX_METADATA_KEYS, ONNX_OUTPUT_KINDS, type OnnxExportOptions, type OnnxOutputKind } from './export-onnx.js';
export { registerOnnxExporter, UnsupportedModuleError, ExportContext, type ModuleExporter, type Traced } from './export-context.js';
export { OnnxGraphBuilder, float, floats, type AttrValue } from './onnx-graph.js';
export { decodeOnnxModel } from './onnx-proto.js';
export { writeWebPage, WEB_PAGE_BUNDLE, type WebPageModel } from './web-page.js';
