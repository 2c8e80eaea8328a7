// The code generator: turns a snapshot of libtorch's operator schemas into the TS
// bindings (src/torch/ops.generated.ts) and the Layout/MemoryFormat constants
// (src/torch/enums.generated.ts). Pure functions of the snapshot, so that the committed
// output can be checked to be reproducible without an addon build.

/** scripts/op-schemas.json: what `npm run gen:schemas` reads from the addon. */
export interface SchemaSnapshot {
  libtorch: string;
  /** c10::Layout and c10::MemoryFormat names, in code order. */
  layout: string[];
  memoryFormat: string[];
  schemas: SchemaInfo[];
}

export function schemaKey(s: { name: string; overload: string }): string {
  return `${s.name}.${s.overload}`;
}

/** Code-unit order: unlike localeCompare, the same on every machine and locale. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface ArgInfo { name: string; type: string; kind: string; optional: boolean; hasDefault: boolean; kwargOnly: boolean; writes: boolean }
export interface SchemaInfo { name: string; overload: string; schema: string; args: ArgInfo[]; returns: { type: string; writes: boolean }[] }

const RESERVED = new Set(['function', 'default', 'var', 'new', 'delete', 'in', 'class', 'return', 'switch', 'case', 'break',
  'continue', 'for', 'while', 'do', 'if', 'else', 'with', 'this', 'super', 'import', 'export', 'const', 'let', 'void',
  'typeof', 'instanceof', 'try', 'catch', 'finally', 'throw', 'yield', 'enum', 'null', 'true', 'false', 'arguments', 'eval']);

function safe(name: string): string {
  return RESERVED.has(name) ? `${name}_` : name;
}

function tsType(type: string): string | null {
  const opt = /^Optional\[(.*)\]$/.exec(type);
  if (opt) {
    const inner = tsType(opt[1]!);
    return inner === null ? null : `${inner} | null`;
  }
  switch (type) {
    case 'Tensor': return 'Tensor';
    case 'List[Tensor]': return 'Tensor[]';
    case 'List[Optional[Tensor]]': return '(Tensor | null)[]';
    case 'int': case 'SymInt': return 'number';
    case 'List[int]': case 'List[SymInt]': return 'number | number[]';
    case 'float': return 'number';
    case 'List[float]': return 'number[]';
    case 'bool': return 'boolean';
    case 'List[bool]': return 'boolean[]';
    case 'number': return 'number | boolean';
    case 'str': return 'string';
    case 'Device': return 'string';
    case 'ScalarType': return 'DType';
    case 'Layout': return 'Layout';
    case 'MemoryFormat': return 'MemoryFormat';
    case 'Generator': return 'Generator';
    default: return null;
  }
}

// hasDefault: the argument may be left out (undefined), so that the addon fills the default.
function convert(expr: string, type: string, hasDefault: boolean): string {
  const base = type.replace(/^Optional\[(.*)\]$/, '$1');
  const optional = base !== type || hasDefault;
  switch (base) {
    case 'Tensor': return base !== type ? `optHandleOf(${expr})` : `handleOf(${expr})`;
    case 'List[Tensor]': return base !== type ? `${expr}?.map(handleOf)` : `${expr}.map(handleOf)`;
    case 'List[Optional[Tensor]]': return `${expr}.map(optHandleOf)`;
    case 'ScalarType': return optional ? `(${expr} == null ? ${expr} : dtypeCode(${expr}))` : `dtypeCode(${expr})`;
    case 'Layout': return optional ? `(${expr} == null ? ${expr} : layoutCode(${expr}))` : `layoutCode(${expr})`;
    case 'MemoryFormat': return optional ? `(${expr} == null ? ${expr} : memoryFormatCode(${expr}))` : `memoryFormatCode(${expr})`;
    case 'Generator': return `generatorHandleOf(${expr})`;
    default: return expr;
  }
}

function returnCode(s: SchemaInfo, call: string, args: ArgInfo[], argExpr: (a: ArgInfo) => string): { type: string; body: string } {
  const rets = s.returns;
  if (rets.length === 0) return { type: 'void', body: `${call};` };
  const writeArg = args.find((a) => a.writes);
  const one = (t: string, r: string, writes: boolean): [string, string] => {
    if (writes && writeArg && t === 'Tensor') return ['Tensor', argExpr(writeArg)];
    switch (t) {
      case 'Tensor': return ['Tensor', `wrap(${r})`];
      case 'List[Tensor]': return ['Tensor[]', `(${r} as unknown[]).map(wrap)`];
      case 'int': case 'SymInt': case 'float': case 'number': return ['number', `${r} as number`];
      case 'bool': return ['boolean', `${r} as boolean`];
      case 'List[int]': case 'List[SymInt]': case 'List[float]': return ['number[]', `${r} as number[]`];
      case 'str': return ['string', `${r} as string`];
      case 'ScalarType': return ['DType', `dtypeName(${r} as number)`];
      default: throw new Error(`unsupported return ${t}`);
    }
  };
  if (rets.length === 1) {
    const [t, e] = one(rets[0]!.type, '__r', rets[0]!.writes);
    if (e === '__r as number' || e === '__r as boolean') return { type: t, body: `return ${call} as ${t};` };
    return { type: t, body: `const __r = ${call};\n  return ${e};` };
  }
  const parts = rets.map((ret, i) => one(ret.type, `__r[${i}]`, ret.writes));
  return {
    type: `[${parts.map((p) => p[0]).join(', ')}]`,
    body: `const __r = ${call} as unknown[];\n  return [${parts.map((p) => p[1]).join(', ')}];`,
  };
}

/** The generated bindings, from a schema snapshot. */
export function generateOps(snapshot: SchemaSnapshot): string {
  const out: string[] = [];
  out.push(`// GENERATED by scripts/generate-ops.ts from scripts/op-schemas.json (libtorch ${snapshot.libtorch}). DO NOT EDIT.`);
  out.push('// Regenerate with `npm run gen:ops`. One function per aten operator overload: `name$overload`.');
  out.push('/* eslint-disable */');
  out.push("import { native as __N } from './native.js';");
  out.push("import type { Tensor } from './tensor.js';");
  out.push("import { wrap, handleOf, optHandleOf } from './handle.js';");
  out.push("import { type DType, dtypeCode, dtypeName } from './dtype.js';");
  out.push("import { type Generator, generatorHandleOf } from './generator.js';");
  out.push("import { type Layout, layoutCode, type MemoryFormat, memoryFormatCode } from './enums.generated.js';");
  out.push('');
  const seen = new Set<string>();
  let count = 0;
  const sorted = [...snapshot.schemas].sort((a, b) => compareKeys(schemaKey(a), schemaKey(b)));
  for (const s of sorted) {
    if (!s.name.startsWith('aten::')) continue;
    if (s.args.some((a) => a.kwargOnly && a.writes)) continue; // out= variants: results come back as new tensors
    if (s.args.some((a) => tsType(a.type) === null)) continue;
    if (/Dimname|names/.test(s.overload)) continue;
    const base = s.name.slice('aten::'.length);
    const fname = safe(s.overload ? `${base}$${s.overload}` : base);
    if (seen.has(fname)) continue;
    let retInfo;
    const positional = s.args.filter((a) => !a.kwargOnly);
    const kw = s.args.filter((a) => a.kwargOnly);
    const names = new Map<ArgInfo, string>();
    for (const a of positional) names.set(a, safe(a.name));
    for (const a of kw) names.set(a, `opts?.${a.name}`);
    const argExpr = (a: ArgInfo) => names.get(a) ?? 'undefined';
    const callArgs = s.args.map((a) => convert(argExpr(a), a.type, a.hasDefault));
    // Drop trailing undefined so the addon fills schema defaults.
    while (callArgs.length && callArgs[callArgs.length - 1] === 'undefined') callArgs.pop();
    const handle = `__h_${fname}`;
    const call = `__N.call(${handle}${callArgs.map((c) => ', ' + c).join('')})`;
    try {
      retInfo = returnCode(s, call, s.args, (a) => argExpr(a));
    } catch {
      continue;
    }
    // A parameter may be optional only if every later positional parameter is too.
    const params: string[] = [];
    let tailOptional = true;
    const optionalFlags = positional.map(() => false);
    for (let i = positional.length - 1; i >= 0; i--) {
      const a = positional[i]!;
      const canOmit = a.hasDefault || a.optional;
      tailOptional = tailOptional && canOmit;
      optionalFlags[i] = tailOptional;
    }
    const optsRequired = kw.some((a) => !a.hasDefault && !a.optional);
    if (optsRequired) optionalFlags.fill(false);
    positional.forEach((a, i) => params.push(`${safe(a.name)}${optionalFlags[i] ? '?' : ''}: ${tsType(a.type)}`));
    if (kw.length) {
      const required = kw.some((a) => !a.hasDefault && !a.optional);
      params.push(`opts${required ? '' : '?'}: { ${kw.map((a) => `${a.name}${a.hasDefault || a.optional ? '?' : ''}: ${tsType(a.type)}`).join('; ')} }`);
    }
    seen.add(fname);
    count++;
    out.push(`let ${handle} = -1;`);
    out.push(`/** \`${s.schema.replace(/\*\//g, '*\\/')}\` */`);
    out.push(`export function ${fname}(${params.join(', ')}): ${retInfo.type} {`);
    out.push(`  if (${handle} < 0) ${handle} = __N.opHandle('${s.name}', '${s.overload}');`);
    out.push(`  ${retInfo.body}`);
    out.push('}');
  }
  out.push('');
  out.push(`export const generatedOpCount = ${count};`);
  out.push('');
  return out.join('\n');
}

// PyTorch's Python names (torch.sparse_coo, torch.channels_last...) for c10's enum names.
const PYTHON_NAMES: Record<string, string> = {
  Strided: 'strided', Sparse: 'sparse_coo', SparseCsr: 'sparse_csr', SparseCsc: 'sparse_csc',
  SparseBsr: 'sparse_bsr', SparseBsc: 'sparse_bsc', Mkldnn: '_mkldnn',
  Contiguous: 'contiguous_format', Preserve: 'preserve_format', ChannelsLast: 'channels_last', ChannelsLast3d: 'channels_last_3d',
};

function pythonName(c10Name: string): string {
  return PYTHON_NAMES[c10Name] ?? c10Name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

function enumBlock(out: string[], type: string, codeFn: string, c10Names: string[], doc: string): void {
  const names = c10Names.map(pythonName);
  out.push(`/** ${doc} */`);
  out.push(`export const ${type} = {`);
  for (const n of names) out.push(`  ${n}: '${n}',`);
  out.push('} as const;');
  out.push(`export type ${type} = (typeof ${type})[keyof typeof ${type}];`);
  out.push(`const ${type}Codes: Record<${type}, number> = {`);
  names.forEach((n, i) => out.push(`  ${n}: ${i},`));
  out.push('};');
  out.push(`/** The c10 code the addon passes to operators for a ${type}. */`);
  out.push(`export function ${codeFn}(v: ${type}): number {`);
  out.push(`  const code = Object.hasOwn(${type}Codes, v) ? ${type}Codes[v] : undefined;`);
  out.push(`  if (code === undefined) throw new TypeError(\`unknown ${type} '\${String(v)}'; expected one of ${names.join(', ')}\`);`);
  out.push('  return code;');
  out.push('}');
}

/** Layout and MemoryFormat as const objects and string unions, numbered as this libtorch numbers them. */
export function generateEnums(snapshot: SchemaSnapshot): string {
  const out: string[] = [];
  out.push(`// GENERATED by scripts/generate-ops.ts from scripts/op-schemas.json (libtorch ${snapshot.libtorch}). DO NOT EDIT.`);
  out.push('// Regenerate with `npm run gen:ops`.');
  out.push('');
  enumBlock(out, 'Layout', 'layoutCode', snapshot.layout, 'How a tensor stores its elements (schemas\' `Layout?`): torch.strided, torch.sparse_coo...');
  out.push('');
  enumBlock(out, 'MemoryFormat', 'memoryFormatCode', snapshot.memoryFormat,
    'The order of a dense tensor\'s dimensions in memory (schemas\' `MemoryFormat?`): torch.contiguous_format, torch.channels_last...');
  out.push('');
  return out.join('\n');
}

/** The snapshot file's text: sorted, one schema per line, so that a libtorch upgrade reads as a diff. */
export function formatSnapshot(snapshot: SchemaSnapshot): string {
  const sorted = [...snapshot.schemas].sort((a, b) => compareKeys(schemaKey(a), schemaKey(b)));
  const lines = sorted.map((s) => '    ' + JSON.stringify(s));
  return [
    '{',
    `  "libtorch": ${JSON.stringify(snapshot.libtorch)},`,
    `  "layout": ${JSON.stringify(snapshot.layout)},`,
    `  "memoryFormat": ${JSON.stringify(snapshot.memoryFormat)},`,
    '  "schemas": [',
    lines.join(',\n'),
    '  ]',
    '}',
    '',
  ].join('\n');
}
