// The one parser of device strings ('cpu', 'cuda', 'cuda:1'), so that every layer accepts
// and rejects the same spellings, with the same message.
export type DeviceType = 'cpu' | 'cuda' | 'mps' | 'meta';

export interface DeviceSpec {
  type: DeviceType;
  /** The device index ('cuda:1' -> 1), or null when none was given. */
  index: number | null;
}

const DEVICE = /^(cpu|cuda|mps|meta)(?::(\d+))?$/;

/** Parses 'cpu', 'cuda', 'cuda:0', 'mps' or 'meta'; throws a TypeError naming anything else. */
export function parseDevice(s: string): DeviceSpec {
  const m = typeof s === 'string' ? DEVICE.exec(s) : null;
  if (!m) {
    const shown = typeof s === 'string' ? `'${s}'` : String(s);
    throw new TypeError(`invalid device ${shown}: expected 'cpu', 'cuda', 'cuda:<index>', 'mps' or 'meta'`);
  }
  return { type: m[1] as DeviceType, index: m[2] === undefined ? null : Number(m[2]) };
}

/** Whether s is a device string parseDevice accepts. */
export function isDeviceString(s: string): boolean {
  return typeof s === 'string' && DEVICE.test(s);
}

/** The canonical spelling: 'cuda:1', or the bare type when no index was given. */
export function formatDevice(d: DeviceSpec): string {
  return d.index === null ? d.type : `${d.type}:${d.index}`;
}
