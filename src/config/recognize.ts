import { isAngularFile, parseAngular } from './angular.js';
import { isApacheFile, looksLikeApache, parseApache } from './apache.js';
import { isComposeFile, looksLikeCompose, parseCompose } from './compose.js';
import { isDevcontainerJson, parseDevcontainer } from './devcontainer.js';
import { isEnvFile, parseEnvFile } from './env.js';
import { isAngularProxyScript, isNextConfig, isNodeEntryName, looksLikeNodeServer, isOtherDevServerConfig, isSetupProxy, isTestRunnerConfig, isViteConfig, isWebpackConfig, looksLikeVueCli2Config, parseJsConfig } from './js-config.js';
import { isLaunchJson, parseLaunchJson } from './launch-json.js';
import { isNginxFile, looksLikeNginx, parseNginx } from './nginx.js';
import { looksLikeNginxUnit, parseNginxUnit } from './nginx-unit.js';
import { isPackageJson, parsePackageJson } from './package-json.js';
import { isProcfile, parseProcfile } from './procfile.js';
import { isPythonFile, parsePython } from './python.js';
import { isRailsDatabaseFile, parseRailsDatabase } from './rails-database.js';
import { isRailsFile, parseRails } from './rails.js';
import { isScriptFile, parseScript } from './scripts.js';
import { isSpringFile, looksLikeSpring, parseSpring } from './spring.js';
import type { ParsedFile, ParserInput } from './types.js';
import { isUwsgiIni, parseUwsgiIni } from './uwsgi.js';
import { isVagrantfile, parseVagrantfile } from './vagrant.js';

/** A configuration format: how to read one file of it. */
export interface Format {
  readonly name: string;
  readonly parse: (input: ParserInput) => ParsedFile;
}

interface NamedFormat extends Format {
  readonly matches: (path: string) => boolean;
}

const COMPOSE: Format = { name: 'compose', parse: parseCompose };
const SPRING: Format = { name: 'spring', parse: parseSpring };
const NGINX: Format = { name: 'nginx', parse: parseNginx };
const APACHE: Format = { name: 'apache', parse: parseApache };
const NGINX_UNIT: Format = { name: 'nginx', parse: parseNginxUnit };
const NODE_SERVER: Format = { name: 'other', parse: (input) => parseJsConfig(input, 'other') };
const VUE_CLI_2: Format = { name: 'webpack', parse: (input) => parseJsConfig(input, 'webpack') };

/** The first entry whose `matches` accepts a path parses it. Order matters only for overlaps. */
const BY_NAME: readonly NamedFormat[] = [
  { name: 'env', matches: isEnvFile, parse: parseEnvFile },
  { name: 'package-json', matches: isPackageJson, parse: parsePackageJson },
  { name: 'compose', matches: isComposeFile, parse: parseCompose },
  { name: 'vite', matches: isViteConfig, parse: (input) => parseJsConfig(input, 'vite') },
  { name: 'next', matches: isNextConfig, parse: (input) => parseJsConfig(input, 'next') },
  { name: 'angular', matches: isAngularProxyScript, parse: (input) => parseJsConfig(input, 'angular') },
  { name: 'webpack', matches: isWebpackConfig, parse: (input) => parseJsConfig(input, 'webpack') },
  { name: 'other', matches: (path) => isSetupProxy(path) || isOtherDevServerConfig(path) || isTestRunnerConfig(path), parse: (input) => parseJsConfig(input, 'other') },
  { name: 'angular', matches: isAngularFile, parse: parseAngular },
  { name: 'nginx', matches: isNginxFile, parse: parseNginx },
  { name: 'apache', matches: isApacheFile, parse: parseApache },
  { name: 'procfile', matches: isProcfile, parse: parseProcfile },
  { name: 'spring', matches: isSpringFile, parse: parseSpring },
  { name: 'rails', matches: isRailsFile, parse: parseRails },
  { name: 'rails', matches: isRailsDatabaseFile, parse: parseRailsDatabase },
  { name: 'python', matches: isPythonFile, parse: parsePython },
  { name: 'launch-json', matches: isLaunchJson, parse: parseLaunchJson },
  { name: 'python', matches: isUwsgiIni, parse: parseUwsgiIni },
  { name: 'other', matches: isDevcontainerJson, parse: parseDevcontainer },
  { name: 'other', matches: isVagrantfile, parse: parseVagrantfile },
  { name: 'script', matches: isScriptFile, parse: parseScript },
];

/**
 * The format of a path relative to the project root, from its name alone, or undefined.
 *
 * @example
 * formatByName('build/webpack.dev.conf.js')?.name // 'webpack'
 */
export function formatByName(path: string): Format | undefined {
  for (const format of BY_NAME) if (format.matches(path)) return format;
  return undefined;
}

/**
 * The extensions (lower-cased) of every name that a matcher of {@link BY_NAME} or
 * {@link contentMayTell} accepts: `.env.example`, `database.yml.dist`, `nginx.conf.template`,
 * `app.Dockerfile` and NGINX Unit's `unit.JSON` included.
 */
const CONFIG_EXTENSIONS = new Set(['yml', 'yaml', 'json', 'js', 'mjs', 'cjs', 'ts', 'mts', 'cts', 'conf', 'template', 'properties', 'rb', 'py', 'ini', 'sh', 'bash', 'nginx', 'env', 'example', 'sample', 'dist', 'dockerfile']);
/** Names whose extension says nothing (`.env.local`, `Procfile.dev`, `Dockerfile.prod`). */
const CONFIG_PREFIXES = ['.env', 'env.', 'Procfile', 'Dockerfile'];

/**
 * False for a name that neither {@link formatByName} nor {@link contentMayTell} can accept: a
 * cheap test in front of their ~25 matchers, which every file of the project goes through (most
 * are sources, images and documents: `.tsx`, `.java`, `.png`, `.md`; name matching was a fifth
 * of the scan of a 1,400-file project). It over-accepts (every name without an extension, every
 * file in a `sites-available/`-like folder, any name with a config extension); the matchers decide.
 *
 * @example
 * nameMayMatter('src/components/Button.tsx') // false
 * nameMayMatter('deploy/nginx/site') // true
 */
export function nameMayMatter(path: string): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  // No extension (Makefile, Containerfile, nginx/site, conf), or a dot file (.env, .envrc).
  if (dot <= 0) return true;
  if (CONFIG_EXTENSIONS.has(base.slice(dot + 1).toLowerCase())) return true;
  return CONFIG_PREFIXES.some((prefix) => base.startsWith(prefix)) || path.includes('sites-');
}

/** Folders of translations and CI definitions: YAML that is never a Compose file. */
const NOT_COMPOSE_DIRS = /(^|\/)(locales?|i18n|lang|translations|\.github|\.gitlab|\.circleci)\//;

/**
 * Files whose name does not say whether they are configuration but whose content may: YAML (a
 * Compose file meant for `-f`, e.g. src/main/docker/app.yml; Spring Cloud Config's per-service
 * files), vue-cli 2's config/index.js, Node programs that listen (server.js, app.js, index.js),
 * and NGINX Unit's JSON configuration.
 */
export function needsContent(path: string): boolean {
  return formatByName(path) === undefined && contentMayTell(path);
}

/**
 * {@link needsContent} for a path that {@link formatByName} has already declined: the scan asks
 * both of every file of the project, and the name matchers are most of that cost.
 */
export function contentMayTell(path: string): boolean {
  if (/\.ya?ml$/.test(path)) return !NOT_COMPOSE_DIRS.test(path);
  return /(^|\/)config\/index\.js$/.test(path) || /(^|\/)([\w.-]+\.conf|conf|default|site)$/.test(path) || isNodeEntryName(path) || /(^|\/)[\w.-]*unit[\w.-]*\.json$/i.test(path);
}

/**
 * The format of a file known only from its content (see {@link needsContent}), or undefined.
 *
 * @example
 * formatByContent('src/main/docker/app.yml', 'services:\n  app:\n    ports:\n      - 8080:8080\n')?.name // 'compose'
 */
export function formatByContent(path: string, head: string): Format | undefined {
  if (/\.ya?ml$/.test(path) && looksLikeCompose(head)) return COMPOSE;
  if (/\.ya?ml$/.test(path) && looksLikeSpring(head)) return SPRING;
  if (looksLikeVueCli2Config(path, head)) return VUE_CLI_2;
  if (looksLikeNodeServer(path, head)) return NODE_SERVER;
  if (looksLikeNginxUnit(path, head)) return NGINX_UNIT;
  if (looksLikeApache(path, head)) return APACHE;
  if (/(^|\/)([\w.-]+\.conf|conf|default|site)$/.test(path) && looksLikeNginx(head)) return NGINX;
  return undefined;
}
