// The error an operator raises. The addon builds it (the class is handed to the addon at
// start-up, as better-sqlite3 does with SqliteError), so callers can tell a libtorch
// failure from a bug in their own code and read which operator and inputs it concerned
// without parsing the message.

/** One argument the caller passed to a failing operator. */
export interface TorchErrorArg {
  name: string;
  /** For tensors: the shape, dtype name (e.g. 'float32') and device. */
  shape?: number[];
  dtype?: string;
  device?: string;
  /** For other values: how they were written, e.g. '2', '[0, 1]', "'mean'". */
  value?: string;
}

export class TorchError extends Error {
  /** The operator's schema name with its overload, e.g. 'aten::matmul' or 'aten::add.Tensor'. */
  readonly op: string;
  readonly args: readonly TorchErrorArg[];

  constructor(message: string, op: string, args: TorchErrorArg[]) {
    super(message);
    this.name = 'TorchError';
    this.op = op;
    this.args = args;
  }
}
