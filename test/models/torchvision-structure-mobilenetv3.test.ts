// MobileNetV3-Large and LR-ASPP on it have torchvision's exact state-dict names, order,
// shapes and parameter counts (5,483,032 with 1000 classes / 3,221,538 with 21 classes).
import { test } from 'node:test';
import { mobilenetV3Large, lrasppMobileNetV3Large } from '../../src/models/index.js';
import { torchvisionStructures } from './torchvision-reference.js';
import { assertSameStructure } from './structure-check.js';

const live = torchvisionStructures(['mobilenet_v3_large', 'lraspp_mobilenet_v3_large']);
const source = live ? 'live from torchvision' : 'pasted reference (Python torch unavailable)';

test(`mobilenet_v3_large matches torchvision (${source})`, () => assertSameStructure('mobilenet_v3_large', mobilenetV3Large(), live));
test(`lraspp_mobilenet_v3_large matches torchvision (${source})`, () => assertSameStructure('lraspp_mobilenet_v3_large', lrasppMobileNetV3Large(), live));
