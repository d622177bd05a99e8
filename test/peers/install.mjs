// Makes sure the real peer programs the `peers` tests run against are installed: Prometheus,
// VictoriaMetrics (victoria-metrics, vmagent, vmalert), node_exporter, and librdkafka's mock
// cluster with a C compiler for the Kafka helper. Installs the Debian packages when run as root;
// otherwise, or if an install fails, it names what is missing and exits non-zero, so the peer
// tests fail rather than skip.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const PEERS = [
  { binary: '/usr/bin/prometheus', pkg: 'prometheus' },
  { binary: '/usr/bin/victoria-metrics', pkg: 'victoria-metrics' },
  { binary: '/usr/bin/vmagent', pkg: 'victoria-metrics' },
  { binary: '/usr/bin/vmalert', pkg: 'victoria-metrics' },
  { binary: '/usr/bin/prometheus-node-exporter', pkg: 'prometheus-node-exporter' },
  { binary: '/usr/include/librdkafka/rdkafka_mock.h', pkg: 'librdkafka-dev' },
  { binary: '/usr/bin/cc', pkg: 'gcc' },
];

const missing = () => PEERS.filter((p) => !existsSync(p.binary));
let absent = missing();
if (absent.length > 0 && process.getuid?.() === 0) {
  const pkgs = [...new Set(absent.map((p) => p.pkg))];
  console.log(`installing peer packages: ${pkgs.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], { stdio: 'inherit', env });
  absent = missing();
}
if (absent.length > 0) {
  console.error(`peer programs missing: ${absent.map((p) => `${p.binary} (Debian package ${p.pkg})`).join(', ')}`);
  console.error('run as root to install them, or install them by hand; the peer tests do not skip.');
  process.exit(1);
}
console.log('peer programs present');
