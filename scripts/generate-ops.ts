// Generates src/torch/ops.generated.ts and src/torch/enums.generated.ts from the committed
// schema snapshot (scripts/op-schemas.json), so the output does not depend on which
// libtorch happens to be installed. `npm run gen:ops`; the output is committed.
// `npm run gen:schemas` refreshes the snapshot from the built addon first.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generateOps, generateEnums, type SchemaSnapshot } from './ops-codegen.js';

// dist/scripts/ -> repository root.
const root = new URL('../../', import.meta.url);
export const snapshotPath = fileURLToPath(new URL('scripts/op-schemas.json', root));
export const opsPath = fileURLToPath(new URL('src/torch/ops.generated.ts', root));
export const enumsPath = fileURLToPath(new URL('src/torch/enums.generated.ts', root));

const snapshot = JSON.parse(readFileSync(snapshotPath, 'utf8')) as SchemaSnapshot;
writeFileSync(opsPath, generateOps(snapshot));
writeFileSync(enumsPath, generateEnums(snapshot));
console.log(`wrote ${opsPath} and ${enumsPath} from ${snapshot.schemas.length} schemas (libtorch ${snapshot.libtorch})`);
