// visionlab models: the model zoo's names, with what each is and the input it expects.
import { listModels, modelInfo } from '../models/index.js';
import '../experiment/index.js';
import { parseCommandArgs, type Command } from './args.js';

export const modelsCommand: Command = {
  name: 'models',
  summary: 'list the model names a config can use',
  usage: `visionlab models [--long]

Lists the registered model names (the values of model.name in a config).

  --long   add each model's default input size and a description`,
  async run(argv) {
    const a = parseCommandArgs('models', argv, { long: { type: 'boolean' } });
    if (a.help) return void console.log(this.usage);
    for (const name of listModels()) {
      if (!a.values.long) { console.log(name); continue; }
      const m = modelInfo(name);
      console.log(`${name.padEnd(24)} ${m.defaultInput.join('×').padEnd(10)} ${m.description}`);
    }
  },
};
