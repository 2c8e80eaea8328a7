// ResNet-18/34 and MobileNetV2 have torchvision's exact state-dict names, order, shapes
// and parameter counts (11,689,512 / 21,797,672 / 3,504,872 with 1000 classes).
import { test } from 'node:test';
import { resnet18, resnet34, mobilenetV2 } from '../../src/models/index.js';
import { torchvisionStructures } from './torchvision-reference.js';
import { assertSameStructure } from './structure-check.js';

const live = torchvisionStructures(['resnet18', 'resnet34', 'mobilenet_v2']);
const source = live ? 'live from torchvision' : 'pasted reference (Python torch unavailable)';

test(`resnet18 matches torchvision (${source})`, () => assertSameStructure('resnet18', resnet18(), live));
test(`resnet34 matches torchvision (${source})`, () => assertSameStructure('resnet34', resnet34(), live));
test(`mobilenet_v2 matches torchvision (${source})`, () => assertSameStructure('mobilenet_v2', mobilenetV2(), live));
