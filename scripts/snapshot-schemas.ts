// Refreshes scripts/op-schemas.json from the operator schemas registered in the built
// addon's libtorch (`npm run gen:schemas`, then `npm run gen:ops`). Run it after moving
// to another libtorch; review the diff of the snapshot like any other change.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { native } from '../src/torch/native.js';
import { formatSnapshot, type SchemaInfo } from './ops-codegen.js';

const target = fileURLToPath(new URL('../../scripts/op-schemas.json', import.meta.url));
const enums = native.enumNames();
const text = formatSnapshot({
  libtorch: native.version(),
  layout: enums.layout,
  memoryFormat: enums.memoryFormat,
  schemas: native.listSchemas() as SchemaInfo[],
});
writeFileSync(target, text);
console.log(`wrote ${target}`);
