// Reading a config file (YAML or JSON) and validating it, with errors that name the file.
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { validateConfig, type ExperimentConfig } from './config.js';
import { ConfigError } from './config-check.js';

export interface LoadedConfig {
  config: ExperimentConfig;
  /** The file's folder: relative data paths in the config are relative to it. */
  baseDir: string;
  file: string;
}

export function parseConfigText(text: string, file: string): unknown {
  if (file.endsWith('.json')) {
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new ConfigError(`${file}: not valid JSON (${(e as Error).message})`);
    }
  }
  const doc = YAML.parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) throw new ConfigError(`${file}: not valid YAML: ${doc.errors[0]!.message}`);
  return doc.toJS();
}

export function loadConfigFile(file: string): LoadedConfig {
  if (!existsSync(file)) throw new ConfigError(`${file}: no such config file`);
  const raw = parseConfigText(readFileSync(file, 'utf8'), file);
  try {
    return { config: validateConfig(raw), baseDir: path.dirname(path.resolve(file)), file };
  } catch (e) {
    // Every line names the file, so each problem reads on its own.
    if (e instanceof ConfigError) throw new ConfigError(e.message.split('\n').map((line) => `${file}: ${line}`).join('\n'));
    throw e;
  }
}
