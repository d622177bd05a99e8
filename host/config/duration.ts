const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};

const DURATION_RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const ORDER = ['y', 'w', 'd', 'h', 'm', 's', 'ms'] as const;

/** Parses a Prometheus duration (`1h30m`, `500ms`, `2w`) into milliseconds; undefined if invalid. */
export function parseDuration(text: string): number | undefined {
  if (text === '' || text === '0') return text === '0' ? 0 : undefined;
  const m = DURATION_RE.exec(text);
  if (!m) return undefined;
  let ms = 0;
  ORDER.forEach((unit, i) => {
    const part = m[i + 1];
    if (part !== undefined) ms += Number(part) * UNIT_MS[unit]!;
  });
  return ms;
}

/** Formats milliseconds as Prometheus does: largest units first, `0s` for zero. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = Math.abs(ms);
  let out = ms < 0 ? '-' : '';
  for (const unit of ORDER) {
    const size = UNIT_MS[unit]!;
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}

const BYTE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/** Parses `1024`, `64KiB`, `512MB`, `1.5GiB` into bytes; undefined if invalid. */
export function parseBytes(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? Math.floor(text) : undefined;
  const m = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(text.trim());
  if (!m) return undefined;
  const unit = BYTE_UNITS[m[2]!.toLowerCase()];
  return unit === undefined ? undefined : Math.floor(Number(m[1]) * unit);
}
