import type { SideColumns } from '../../batch/sample-batch.js';
import type { ConfigIssue } from '../../errors.js';
import type { FieldDoc } from '../../config/schema.js';
import type { PluginKind, Stability } from '../manifest.js';

/** What a drop-in worker reports about the module it loaded. */
export interface LoadedManifest {
  kind: PluginKind;
  type: string;
  stability: Stability;
  description: string;
  docs: FieldDoc[];
  example?: unknown;
}

/** A batch as it crosses threads: plain arrays of a tenant and three transferred columns. */
export interface WireBatch {
  tenant: { accountId: number; projectId: number };
  length: number;
  refs: Uint32Array;
  ts: Float64Array;
  values: Float64Array;
  /** Histograms, exemplars and metadata, cloned with the message (they are rare and small). */
  side?: SideColumns;
  /** Labels of the refs in this batch the worker has not been told about yet. */
  series?: WireSeries[];
}

/** A series as a worker learns it: its ref, tenant and labels. */
export interface WireSeries {
  ref: number;
  tenant: { accountId: number; projectId: number };
  labels: { name: string; value: string }[];
}

export type Request =
  | { op: 'load'; file: string }
  | { op: 'validate'; config: unknown; path: string }
  | { op: 'create'; cid: number; id: string; generation: number; config: unknown; dataDir: string }
  | { op: 'call'; cid: number; method: 'start' | 'flush' | 'stop' | 'snapshot' | 'restore' | 'update'; arg?: unknown }
  | { op: 'consume'; cid: number; batch: WireBatch }
  | { op: 'dispose'; cid: number }
  | { op: 'forget'; refs: Uint32Array };

export type Reply = { ok: true; value?: unknown } | { ok: false; error: { message: string; code?: string; retryable?: boolean; issues?: ConfigIssue[] } };

/** Messages a worker sends of its own accord. */
export type Notice =
  | { op: 'emit'; cid: number; seq: number; batch: WireBatch }
  | { op: 'log'; cid: number; level: string; obj: Record<string, unknown> }
  | { op: 'resolve'; series: Omit<WireSeries, 'ref'> }
  | { op: 'metric'; cid: number; kind: 'counter' | 'gauge'; name: string; help: string; labels: Record<string, string>; value: number; set?: boolean };

/** main → worker envelope, and worker → main replies to it (same id). */
export interface RequestEnvelope {
  id: number;
  req: Request;
}
export interface ReplyEnvelope {
  id: number;
  reply: Reply;
}
/** main → worker answer to an `emit` (back-pressure travels back this way). */
export interface EmitAck {
  emitted: number;
  error?: { message: string; retryable: boolean };
}
