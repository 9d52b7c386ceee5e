/**
 * What port numbers mean to people: the services that commonly use them, the ports browsers
 * refuse, and the programs known to squat on ports developers want. Curated by hand; /etc/services
 * (IANA's view) is read separately at run time.
 */

/** A service that commonly listens on a port (or a span of ports). */
export interface CuratedService {
  readonly from: number;
  readonly to: number;
  readonly protocol: 'tcp' | 'udp';
  readonly name: string;
  readonly description: string;
}

function tcp(port: number, name: string, description: string): CuratedService {
  return { from: port, to: port, protocol: 'tcp', name, description };
}
function udp(port: number, name: string, description: string): CuratedService {
  return { from: port, to: port, protocol: 'udp', name, description };
}

/** Ports developers meet every day, with the programs that use them by default. */
export const CURATED_SERVICES: readonly CuratedService[] = [
  tcp(22, 'ssh', 'OpenSSH server (sshd)'),
  tcp(25, 'smtp', 'mail transfer (Postfix, Exim)'),
  tcp(53, 'dns', 'DNS over TCP; systemd-resolved listens on 127.0.0.53 and 127.0.0.54'),
  udp(53, 'dns', 'DNS; systemd-resolved listens on 127.0.0.53 and 127.0.0.54, dnsmasq on 0.0.0.0'),
  udp(67, 'dhcp', 'DHCP server (dnsmasq, libvirt, Docker Desktop)'),
  tcp(80, 'http', 'web servers (nginx, Apache, Caddy); needs root or CAP_NET_BIND_SERVICE'),
  udp(123, 'ntp', 'time sync (chronyd, ntpd, systemd-timesyncd as client)'),
  tcp(443, 'https', 'web servers over TLS (nginx, Apache, Caddy)'),
  udp(443, 'http3', 'HTTP/3 (QUIC)'),
  tcp(631, 'ipp', 'CUPS printing (cupsd, usually on 127.0.0.1 and ::1)'),
  tcp(1025, 'mailhog-smtp', 'MailHog / Mailpit fake SMTP (also the first port of the Windows dynamic range before Vista)'),
  tcp(1080, 'socks', 'SOCKS proxies (ssh -D 1080, Dante)'),
  tcp(1313, 'hugo', 'Hugo dev server (hugo server)'),
  tcp(1433, 'mssql', 'Microsoft SQL Server'),
  tcp(1521, 'oracle', 'Oracle Database listener'),
  tcp(1883, 'mqtt', 'MQTT brokers (Mosquitto, EMQX)'),
  tcp(2181, 'zookeeper', 'Apache ZooKeeper client port'),
  tcp(2375, 'docker', 'Docker Engine API without TLS (never expose it)'),
  tcp(2376, 'docker-tls', 'Docker Engine API with TLS'),
  tcp(2379, 'etcd', 'etcd client API (Kubernetes control plane)'),
  tcp(3000, 'dev-server', 'Express, Next.js, Create React App, Rails (rails s), Remix, Grafana'),
  tcp(3001, 'dev-server-alt', 'the port Create React App / Next.js offer when 3000 is taken'),
  tcp(3100, 'loki', 'Grafana Loki'),
  tcp(3128, 'squid', 'Squid HTTP proxy'),
  tcp(3306, 'mysql', 'MySQL / MariaDB'),
  tcp(3389, 'rdp', 'Remote Desktop (xrdp, Windows)'),
  tcp(4000, 'dev-server', 'Phoenix (mix phx.server), Jekyll (jekyll serve), Gatsby serve'),
  tcp(4173, 'vite-preview', 'Vite preview server (vite preview)'),
  tcp(4200, 'angular', 'Angular CLI dev server (ng serve)'),
  tcp(4317, 'otlp-grpc', 'OpenTelemetry collector, OTLP over gRPC'),
  tcp(4318, 'otlp-http', 'OpenTelemetry collector, OTLP over HTTP'),
  tcp(4321, 'astro', 'Astro dev server'),
  tcp(4566, 'localstack', 'LocalStack edge port'),
  tcp(5000, 'dev-server', 'Flask (flask run), ASP.NET Core (Kestrel), Docker registry; AirPlay Receiver on macOS'),
  tcp(5001, 'aspnet-https', 'ASP.NET Core HTTPS dev server'),
  tcp(5037, 'adb', 'Android Debug Bridge server (127.0.0.1)'),
  tcp(5173, 'vite', 'Vite dev server (vite, npm run dev in Vue/Svelte/React templates)'),
  tcp(5174, 'vite-alt', 'Vite dev server when 5173 is taken'),
  udp(5353, 'mdns', 'multicast DNS (avahi-daemon, Chrome, systemd-resolved)'),
  tcp(5432, 'postgresql', 'PostgreSQL'),
  tcp(5601, 'kibana', 'Kibana'),
  tcp(5672, 'amqp', 'RabbitMQ (AMQP)'),
  tcp(5900, 'vnc', 'VNC display :0'),
  tcp(5984, 'couchdb', 'CouchDB'),
  tcp(6006, 'storybook', 'Storybook, TensorBoard'),
  tcp(6379, 'redis', 'Redis / Valkey'),
  tcp(6443, 'kubernetes-api', 'Kubernetes API server (kind, k3s, kubeadm)'),
  tcp(7000, 'airplay', 'AirPlay Receiver on macOS; Cassandra inter-node'),
  tcp(7474, 'neo4j', 'Neo4j browser (HTTP)'),
  tcp(7687, 'neo4j-bolt', 'Neo4j Bolt protocol'),
  tcp(8000, 'dev-server', 'Django (runserver), python -m http.server, uvicorn, Laravel (artisan serve)'),
  tcp(8025, 'mailhog-web', 'MailHog / Mailpit web UI'),
  tcp(8080, 'http-alt', 'Tomcat, Jenkins, webpack-dev-server, Spring Boot, Vue CLI, many proxies'),
  tcp(8081, 'metro', 'React Native Metro bundler; Nexus'),
  tcp(8086, 'influxdb', 'InfluxDB HTTP API'),
  tcp(8200, 'vault', 'HashiCorp Vault'),
  tcp(8443, 'https-alt', 'HTTPS alternate (Kubernetes dashboards, Tomcat TLS)'),
  tcp(8500, 'consul', 'HashiCorp Consul HTTP API'),
  tcp(8888, 'jupyter', 'Jupyter Notebook / JupyterLab'),
  tcp(8983, 'solr', 'Apache Solr'),
  tcp(9000, 'php-fpm', 'PHP-FPM (FastCGI), MinIO API, SonarQube, Portainer'),
  tcp(9001, 'minio-console', 'MinIO console; supervisord web UI'),
  tcp(9090, 'prometheus', 'Prometheus; Cockpit web console'),
  tcp(9092, 'kafka', 'Apache Kafka broker'),
  tcp(9100, 'node-exporter', 'Prometheus node_exporter; raw printing (JetDirect)'),
  tcp(9200, 'elasticsearch', 'Elasticsearch / OpenSearch HTTP'),
  tcp(9222, 'chrome-devtools', 'Chrome remote debugging (--remote-debugging-port=9222)'),
  tcp(9229, 'node-inspector', 'Node.js inspector (node --inspect); only debuggers should connect'),
  tcp(9418, 'git', 'git daemon'),
  tcp(11211, 'memcached', 'memcached'),
  tcp(11434, 'ollama', 'Ollama API'),
  tcp(15672, 'rabbitmq-management', 'RabbitMQ management UI'),
  tcp(16686, 'jaeger', 'Jaeger UI'),
  tcp(19000, 'expo', 'Expo dev server (React Native)'),
  tcp(24678, 'vite-hmr', 'Vite HMR websocket in older Vite / SSR setups'),
  tcp(27017, 'mongodb', 'MongoDB'),
  { from: 30000, to: 32767, protocol: 'tcp', name: 'kubernetes-nodeport', description: 'Kubernetes NodePort services (kube-proxy)' },
  tcp(50051, 'grpc', 'gRPC servers in examples and tutorials'),
  udp(51820, 'wireguard', 'WireGuard (wg-quick default)'),
];

/**
 * Ports browsers refuse to fetch from ("bad ports" of the WHATWG Fetch standard, which Chrome,
 * Firefox and Safari follow): Chrome shows ERR_UNSAFE_PORT, Firefox "This address is restricted".
 * A dev server on one of these starts fine and is unreachable from the browser.
 * https://fetch.spec.whatwg.org/#port-blocking
 */
export const BROWSER_UNSAFE_PORTS: readonly number[] = [
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110,
  111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532,
  540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061,
  6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
];

const BROWSER_UNSAFE_SET: ReadonlySet<number> = new Set(BROWSER_UNSAFE_PORTS);

/**
 * True when browsers refuse to connect to `port` (ERR_UNSAFE_PORT).
 *
 * @example
 * isBrowserUnsafePort(6000); // true — X11
 * isBrowserUnsafePort(5173); // false
 */
export function isBrowserUnsafePort(port: number): boolean {
  return BROWSER_UNSAFE_SET.has(port);
}

/** How to get a browser to open an unsafe port anyway, for people. */
export const BROWSER_UNSAFE_FIX =
  "Pick another port; or start Chrome with --explicitly-allowed-ports=PORT, or in Firefox set network.security.ports.banned.override to PORT in about:config.";

/** A program known to take a port people want for something else, and how to get it back. */
export interface Squatter {
  readonly name: string;
  /** Where it happens: the machine you run on, a Mac, Windows (or WSL2), or anywhere. */
  readonly platform: 'linux' | 'macos' | 'windows' | 'any';
  readonly detail: string;
  readonly fix: string;
  /** 'port' when known for this port in particular, 'any-port' when it can hold any port (Docker). */
  readonly scope: 'port' | 'any-port';
  /**
   * True when it happens on another kind of system than the one examined (PostgreSQL's package on
   * a Mac replay): kept as reference for the other machines a port travels to, listed after this
   * system's own.
   */
  readonly elsewhere: boolean;
}

interface SquatterRule extends Omit<Squatter, 'scope' | 'elsewhere'> {
  readonly applies: (port: number) => boolean;
  readonly scope?: Squatter['scope'];
}

const DISTRO_SERVICE_FIX = (unit: string): string =>
  `If a container or another copy should have it: 'sudo systemctl disable --now ${unit}' (or change its port).`;

const SQUATTER_RULES: readonly SquatterRule[] = [
  {
    name: 'AirPlay Receiver (macOS ControlCenter)',
    platform: 'macos',
    applies: (port) => port === 5000 || port === 7000,
    detail: 'Since macOS 12 the AirPlay Receiver listens on *:5000 and *:7000; Flask and Docker registry users meet it as "address already in use" or a 403 from AirTunes.',
    fix: 'System Settings › General › AirDrop & Handoff › AirPlay Receiver: off — or use another port.',
  },
  {
    name: 'Hyper-V / WinNAT excluded port ranges',
    platform: 'windows',
    applies: (port) => port >= 49152,
    detail: 'Windows (WSL2, Docker Desktop, Hyper-V) reserves blocks of ports in its dynamic range; binding one fails with "access denied" / EACCES even though nothing listens.',
    fix: "See the blocks with 'netsh interface ipv4 show excludedportrange protocol=tcp'; if the dynamic range starts at 1024 ('netsh int ipv4 show dynamicport tcp') any port can be hit. Pick a port outside the blocks, or 'net stop winnat', then add 'netsh int ipv4 add excludedportrange protocol=tcp startport=PORT numberofports=1' for yours, then 'net start winnat'.",
  },
  {
    name: 'systemd-resolved stub listener',
    platform: 'linux',
    applies: (port) => port === 53,
    detail: 'systemd-resolved answers DNS on 127.0.0.53:53 and 127.0.0.54:53, so a local DNS server (dnsmasq, Pi-hole, CoreDNS) binding 0.0.0.0:53 fails.',
    fix: "Bind your DNS server to a specific address, or set DNSStubListener=no in /etc/systemd/resolved.conf and 'sudo systemctl restart systemd-resolved'.",
  },
  {
    name: 'distribution web server (nginx / apache2)',
    platform: 'linux',
    applies: (port) => port === 80 || port === 443,
    detail: 'Installing nginx or apache2 from the distribution starts it on port 80 (and 443) at boot.',
    fix: DISTRO_SERVICE_FIX('nginx (or apache2)'),
  },
  {
    name: 'distribution PostgreSQL',
    platform: 'linux',
    applies: (port) => port === 5432,
    detail: 'A postgresql package started at boot holds 5432, so `docker run -p 5432:5432 postgres` fails or clients reach the wrong server.',
    fix: DISTRO_SERVICE_FIX('postgresql'),
  },
  {
    name: 'distribution MySQL / MariaDB',
    platform: 'linux',
    applies: (port) => port === 3306,
    detail: 'A mysql or mariadb package started at boot holds 3306.',
    fix: DISTRO_SERVICE_FIX('mysql (or mariadb)'),
  },
  {
    name: 'distribution Redis',
    platform: 'linux',
    applies: (port) => port === 6379,
    detail: 'The redis-server package starts Redis on 127.0.0.1:6379 (and ::1) at boot.',
    fix: DISTRO_SERVICE_FIX('redis-server'),
  },
  {
    name: 'a forgotten node --inspect',
    platform: 'any',
    applies: (port) => port === 9229,
    detail: 'Every `node --inspect` takes 9229; a second one fails with "Starting inspector on 127.0.0.1:9229 failed: address already in use".',
    fix: 'Stop the other debugged process, or use --inspect=0 (any free port) or --inspect=9230.',
  },
  {
    name: 'Docker (docker-proxy / Docker Desktop)',
    platform: 'any',
    applies: (port) => port >= 1,
    scope: 'any-port',
    detail: 'A container published with -p PORT:… holds the port on the host through docker-proxy (Linux) or com.docker.backend (Docker Desktop), even when the app inside has stopped answering.',
    fix: "Find it with 'docker ps --filter publish=PORT' and stop that container; do not kill docker-proxy itself.",
  },
];

/**
 * The known squatters that may hold `port`: those of the system `here` first (and those found
 * anywhere), then the other systems' ones, marked `elsewhere`; most specific first within each.
 * Without `here` (the library's original call) none is marked and the order is the table's.
 *
 * @example
 * knownSquatters(5000, 'linux').map((s) => [s.name, s.elsewhere]);
 * // [['Docker (docker-proxy / Docker Desktop)', false], ['AirPlay Receiver (macOS ControlCenter)', true]]
 */
export function knownSquatters(port: number, here?: Squatter['platform']): Squatter[] {
  const squatters = SQUATTER_RULES.filter((rule) => rule.applies(port)).map(({ applies: _applies, ...squatter }) => ({
    ...squatter,
    scope: squatter.scope ?? 'port',
    elsewhere: here !== undefined && squatter.platform !== 'any' && squatter.platform !== here,
    detail: squatter.detail.replaceAll('PORT', String(port)),
    fix: squatter.fix.replaceAll('PORT', String(port)),
  }));
  return [...squatters.filter((squatter) => !squatter.elsewhere), ...squatters.filter((squatter) => squatter.elsewhere)];
}

/**
 * The curated services that use `port`.
 *
 * @example
 * curatedServices(5173)[0]?.name; // 'vite'
 */
export function curatedServices(port: number): CuratedService[] {
  return CURATED_SERVICES.filter((service) => port >= service.from && port <= service.to);
}
