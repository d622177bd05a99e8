import { BadInputError } from '../errors.js';

/** Why a body was refused, as counted in `sluice_source_decode_errors_total{reason}`. */
export type WireErrorReason = 'snappy' | 'gzip' | 'protobuf' | 'labels' | 'label_limits' | 'text' | 'symbols';

/**
 * A body that does not decode: a BadInputError (400, never retried) that also says which rule it
 * broke, so sources can count refusals by reason without parsing messages.
 */
export class WireError extends BadInputError {
  readonly reason: WireErrorReason;
  constructor(reason: WireErrorReason, message: string, cause?: unknown) {
    super(message, cause);
    this.reason = reason;
  }
}
