import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAngular } from '../../src/config/angular.js';
import { analyzeCommandLine, splitCommands } from '../../src/config/command-line.js';
import { parseCompose, parseShortMapping } from '../../src/config/compose.js';
import { envVariables, parseEnvFile } from '../../src/config/env.js';
import { parseJsConfig } from '../../src/config/js-config.js';
import { tokenizeJs } from '../../src/config/js-tokens.js';
import { parseLaunchJson } from '../../src/config/launch-json.js';
import { parseNginx } from '../../src/config/nginx.js';
import { parsePackageJson } from '../../src/config/package-json.js';
import { parseProcfile } from '../../src/config/procfile.js';
import { parsePython } from '../../src/config/python.js';
import { parseRails } from '../../src/config/rails.js';
import { parseScript } from '../../src/config/scripts.js';
import { parseSpring, springDefault } from '../../src/config/spring.js';
import { parseAddress, substitute } from '../../src/config/text.js';
import type { ParsedFile, ParserInput } from '../../src/config/types.js';

const none = new Map<string, string>();
const input = (file: string, text: string, vars: ReadonlyMap<string, string> = none): ParserInput => ({ file, text, vars });
/** [line, role, host, port] of each declaration: the part the edge cases are about. */
const brief = (parsed: ParsedFile): [number, string, string | null, number][] => parsed.declarations.map((d) => [d.line, d.role, d.host, d.port]);

describe('substitute: ${VAR:-default} and friends', () => {
  it('applies defaults when the variable is unset (and, with :-, when it is empty)', () => {
    expect(substitute('${PORT:-3000}', none)).toBe('3000');
    expect(substitute('${PORT-3000}', none)).toBe('3000');
    expect(substitute('${PORT:-3000}', new Map([['PORT', '']]))).toBe('3000');
    expect(substitute('${PORT-3000}', new Map([['PORT', '']]))).toBe('');
    expect(substitute('${PORT:-3000}', new Map([['PORT', '4000']]))).toBe('4000');
  });
  it('replaces known ${VAR} and $VAR, leaves unknown ones as written', () => {
    const vars = new Map([['HOST', 'db'], ['PORT', '5432']]);
    expect(substitute('$HOST:${PORT}', vars)).toBe('db:5432');
    expect(substitute('${MISSING}:$ALSO', vars)).toBe('${MISSING}:$ALSO');
  });
  it('is the identity on text without $ (property)', () => {
    fc.assert(fc.property(fc.string().filter((s) => !s.includes('$')), (s) => substitute(s, none) === s));
  });
  it('always yields the default for an unset variable (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 65535 }), (port) => substitute(`\${UNSET_X:-${port}}`, none) === String(port)));
  });
});

describe('parseAddress', () => {
  it('reads URLs, JDBC URLs, scheme default ports, host:port, brackets and bare ports', () => {
    expect(parseAddress('http://localhost:8080/api')).toEqual({ host: 'localhost', port: 8080 });
    expect(parseAddress('https://example.test')).toEqual({ host: 'example.test', port: 443 });
    expect(parseAddress('jdbc:postgresql://db:5432/app')).toEqual({ host: 'db', port: 5432 });
    expect(parseAddress('redis://:secret@127.0.0.1/0')).toEqual({ host: '127.0.0.1', port: 6379 });
    expect(parseAddress('[::1]:80')).toEqual({ host: '::1', port: 80 });
    expect(parseAddress('http://[::1]:5000')).toEqual({ host: '::1', port: 5000 });
    expect(parseAddress('*:80')).toEqual({ host: null, port: 80 });
    expect(parseAddress('3000')).toEqual({ host: null, port: 3000 });
  });
  it('returns null for what is not an address', () => {
    for (const text of ['', 'hello', '70000', 'http://localhost:99999', 'unix:/run/x.sock', 'ftp://x', 'http://${HOST}:80']) {
      expect(parseAddress(text), text).toBeNull();
    }
  });
  it('round-trips any host and port through a URL (property)', () => {
    const host = fc.constantFrom('localhost', '127.0.0.1', 'api', 'db.internal', '0.0.0.0');
    fc.assert(fc.property(host, fc.integer({ min: 1, max: 65535 }), fc.constantFrom('http', 'ws', 'postgres'), (h, p, s) => {
      expect(parseAddress(`${s}://${h}:${p}/path?q=1`)).toEqual({ host: h, port: p });
    }));
  });
});

describe('.env files', () => {
  it('handles quotes, inline comments, export and a # inside quotes', () => {
    const parsed = parseEnvFile(input('.env', 'export PORT="3000" # the app\nNAME=\'a # b\'\nDB_URL=\'postgres://u:p@localhost:5433/db\'\n'));
    expect(brief(parsed)).toEqual([[1, 'unknown', null, 3000], [3, 'client', 'localhost', 5433]]);
    expect(parsed.warnings).toEqual([]);
  });
  it('applies ${VAR:-default} and earlier variables (dotenv-expand), and pairs HOST with PORT', () => {
    const parsed = parseEnvFile(input('.env', 'PORT=${PORT:-3000}\nHOST=127.0.0.1\nAPI_URL=http://${HOST}:${PORT}\nDB_HOST=db\nDB_PORT=5432\n'));
    expect(brief(parsed)).toEqual([
      [1, 'unknown', '127.0.0.1', 3000],
      [3, 'client', '127.0.0.1', 3000],
      [5, 'unknown', 'db', 5432],
    ]);
  });
  it('does not read the lines of a multi-line quoted value as keys', () => {
    const parsed = parseEnvFile(input('.env', 'CERT="-----BEGIN\nPORT=1\n-----END"\nPORT=4000\n'));
    expect(brief(parsed)).toEqual([[4, 'unknown', null, 4000]]);
    expect(parsed.warnings).toEqual([]);
  });
  it('declares a key set twice once, at the line that wins, with a warning; CRLF is fine', () => {
    const parsed = parseEnvFile(input('.env', 'PORT=3000\r\nPORT=3001\r\n'));
    expect(parsed.declarations).toEqual([{ file: '.env', line: 2, kind: 'env', role: 'unknown', host: null, port: 3001, text: 'PORT=3001', protocol: 'tcp', network: 'host', service: null, via: null }]);
    expect(parsed.warnings).toEqual([{ file: '.env', line: 1, message: 'PORT is set again on line 2, which wins' }]);
  });
  it('reads the targets of a proxy table written as JSON (VITE_PROXY), not a JSON list of CORS origins', () => {
    const text = 'VITE_PROXY = [["/api","http://localhost:3000"],["/upload","https://files.example.com/up"]]\nCORS_ORIGINS=["http://localhost:5173"]\n';
    expect(brief(parseEnvFile(input('.env.development', text)))).toEqual([[1, 'client', 'localhost', 3000], [1, 'client', 'files.example.com', 443]]);
  });
  it('lets .env.local override .env in the variables other files substitute', () => {
    const base = envVariables('PORT=3000\nWEB=8080\n', '.env', none);
    expect(envVariables('PORT=3001\n', '.env.local', base)).toEqual(new Map([['PORT', '3001'], ['WEB', '8080']]));
  });
});

describe('command lines', () => {
  it('splits on operators and honours quotes, escapes and comments', () => {
    expect(splitCommands(`A=1 node "a b.js" && echo 'x;y' | cat; run\\ me # tail`)).toEqual([['A=1', 'node', 'a b.js'], ['echo', 'x;y'], ['cat'], ['run me']]);
  });
  const ports = (line: string): [string, string | null, number][] => analyzeCommandLine(line, none).map((p) => [p.role, p.host, p.port]);
  it.each([
    ['vite --port 5174', [['server', null, 5174]]],
    ['vite --port=5174 --host', [['server', null, 5174]]],
    ['next dev -p 4000 -H 127.0.0.1', [['server', '127.0.0.1', 4000]]],
    ['cross-env PORT=4001 HOST=0.0.0.0 node server.js', [['server', '0.0.0.0', 4001]]],
    ['tsc -p tsconfig.json', []],
    ['node server.js --port $PORT', []],
    ['node server.js --port ${PORT:-5000}', [['server', null, 5000]]],
    ['python -m http.server 8000', [['server', null, 8000]]],
    ['python3 manage.py runserver 0.0.0.0:8002', [['server', '0.0.0.0', 8002]]],
    ['uvicorn main:app --host 0.0.0.0 --port 8001', [['server', '0.0.0.0', 8001]]],
    ['gunicorn --bind=127.0.0.1:8000 app:app', [['server', '127.0.0.1', 8000]]],
    ['bundle exec rails s -p 3000 -b 0.0.0.0', [['server', '0.0.0.0', 3000]]],
    ['php -S localhost:8080 -t public', [['server', 'localhost', 8080]]],
    ['serve -s build -l 5000', [['server', null, 5000]]],
    ['node --inspect=127.0.0.1:9230 app.js', [['server', '127.0.0.1', 9230]]],
    ['wait-on http://localhost:3000 && npm start', [['client', 'localhost', 3000]]],
    ['PORT=3000', [['unknown', null, 3000]]],
    ['psql -h localhost -p 5433 app', [['client', 'localhost', 5433]]],
  ] as [string, [string, string | null, number][]][])('%s', (line, expected) => {
    expect(ports(line)).toEqual(expected);
  });
});

describe('package.json', () => {
  it('reads scripts with JSON escapes and CRA proxy; ignores non-string scripts', () => {
    const text = '{\n  "scripts": {\n    "a": "concurrently \\"vite --port 5174\\"",\n    "b": 3\n  },\n  "proxy": "http://127.0.0.1:5000"\n}';
    expect(brief(parsePackageJson(input('package.json', text)))).toEqual([[3, 'server', null, 5174], [6, 'client', '127.0.0.1', 5000]]);
  });
});

describe('Docker Compose', () => {
  it.each([
    ['3000', { hostIp: null, published: [], target: [3000] }],
    ['8080:3000', { hostIp: null, published: [8080], target: [3000] }],
    ['127.0.0.1:5432:5432', { hostIp: '127.0.0.1', published: [5432], target: [5432] }],
    ['127.0.0.1::5432', { hostIp: '127.0.0.1', published: [], target: [5432] }],
    ['[::1]:80:80/tcp', { hostIp: '::1', published: [80], target: [80] }],
    ['8000-8002:9000-9002/udp', { hostIp: null, published: [8000, 8001, 8002], target: [9000, 9001, 9002] }],
  ])('short syntax %s', (text, expected) => {
    expect(parseShortMapping(text)).toEqual(expected);
  });
  it('rejects what is not a mapping', () => {
    for (const text of ['abc', '8080:', '70000:80', '9000-8000:80']) expect(parseShortMapping(text), text).toBeNull();
  });
  it('reads any published:target pair (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 65535 }), fc.integer({ min: 1, max: 65535 }), (h, c) => {
      expect(parseShortMapping(`${h}:${c}`)).toEqual({ hostIp: null, published: [h], target: [c] });
    }));
  });
  it('substitutes variables in mappings and keeps comments out; list-form environment; unreadable mapping is a warning', () => {
    const text = 'services:\n  web:\n    ports:\n      - "${WEB:-8080}:3000" # web\n      - "nonsense"\n    environment:\n      - PORT=${PORT:-3000}\n      - HOST=0.0.0.0\n';
    const parsed = parseCompose(input('compose.yaml', text, new Map([['WEB', '18080']])));
    expect(brief(parsed)).toEqual([[4, 'publish', null, 18080], [4, 'server', null, 3000], [7, 'server', '0.0.0.0', 3000]]);
    expect(parsed.warnings).toEqual([{ file: 'compose.yaml', line: 5, message: 'service web: cannot read the port mapping' }]);
  });
});

describe('JS/TS config tokenizer', () => {
  it('skips comments, keeps // inside strings, survives a regex containing a quote', () => {
    const tokens = tokenizeJs(`/* port: 1 */ a: 'http://x' // port: 2\nb: s.replace(/'/g, "") , c: \`t\``);
    expect(tokens.filter((t) => t.type === 'string').map((t) => t.value)).toEqual(['http://x', '', 't']);
    expect(tokens.some((t) => t.value === '1' || t.value === '2')).toBe(false);
  });
  it('never throws and keeps offsets inside the text (property)', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => tokenizeJs(s).every((t) => t.offset >= 0 && t.offset < s.length)));
  });
  it('reads Vite server/proxy, ignores commented entries, takes the literal fallback of an expression', () => {
    const text = [
      'export default {',
      '  server: {',
      '    host: true,',
      "    port: Number(process.env.PORT ?? '5200'),",
      '    proxy: {',
      "      // '/old': 'http://localhost:1',",
      "      '/api:v2': { target: 'http://localhost:8081', changeOrigin: true },",
      '    },',
      '  },',
      '};',
    ].join('\n');
    expect(brief(parseJsConfig(input('vite.config.ts', text), 'vite'))).toEqual([[4, 'server', '0.0.0.0', 5200], [7, 'client', 'localhost', 8081]]);
  });
  it('reads Next.js rewrites destinations', () => {
    const text = "module.exports = { async rewrites() { return [{ source: '/api/:p*', destination: 'http://127.0.0.1:4000/:p*' }]; } };";
    expect(brief(parseJsConfig(input('next.config.js', text), 'next'))).toEqual([[1, 'client', '127.0.0.1', 4000]]);
  });
});

describe('nginx', () => {
  it('ignores comments, unix sockets and proxy_pass with variables; reads quoted values and listen localhost', () => {
    const text = 'server {\n  listen unix:/run/a.sock; # listen 1;\n  listen localhost;\n  location / { proxy_pass http://$backend; }\n  location /x { proxy_pass "http://10.0.0.5:81"; }\n}\n';
    const parsed = parseNginx(input('nginx.conf', text));
    expect(brief(parsed)).toEqual([[3, 'server', 'localhost', 80], [5, 'client', '10.0.0.5', 81]]);
    expect(parsed.warnings).toEqual([]);
  });
  it('reports an unexpected } with its line', () => {
    expect(parseNginx(input('nginx.conf', 'listen 80;\n}\n')).warnings).toEqual([{ file: 'nginx.conf', line: 2, message: 'nginx: unexpected "}"' }]);
  });
});

describe('Spring', () => {
  it('applies ${VAR:default}, accepts = : and space separators, joins continuations', () => {
    expect(springDefault('${PORT:8080}')).toBe('8080');
    expect(springDefault('${PORT}')).toBe('${PORT}');
    const parsed = parseSpring(input('application.properties', 'server.port : ${PORT:8080}\nserver.address=0.0.0.0\nmanagement.server.port \\\n   9001\nserver.port2=1\n'));
    expect(brief(parsed)).toEqual([[1, 'server', '0.0.0.0', 8080], [3, 'server', null, 9001]]);
  });
  it('warns about a server.port that is not a number', () => {
    expect(parseSpring(input('application.yml', 'server:\n  port: ${PORT}\n')).warnings).toEqual([
      { file: 'application.yml', line: 2, message: 'server.port is not a port number: ${PORT}' },
    ]);
  });
});

describe('Puma, Procfile, Python, scripts, launch.json, angular', () => {
  it('Puma: ENV.fetch with a second argument, || default, host argument, comments', () => {
    const text = '# port 1\nport ENV.fetch("PORT", 3001)\nport ENV["PORT"] || 3002, "127.0.0.1"\nssl_bind "ssl://0.0.0.0:3443"\n';
    expect(brief(parseRails(input('config/puma.rb', text)))).toEqual([[2, 'server', null, 3001], [3, 'server', '127.0.0.1', 3002], [4, 'server', '0.0.0.0', 3443]]);
  });
  it('Procfile: $PORT without a default declares nothing; a line without a name is a warning', () => {
    const parsed = parseProcfile(input('Procfile', 'web: node server.js --port $PORT\nworker node w.js\n'));
    expect(parsed.declarations).toEqual([]);
    expect(parsed.warnings).toEqual([{ file: 'Procfile', line: 2, message: 'not a "name: command" line' }]);
  });
  it('Python: app.run keywords, a bind string, # comments ignored', () => {
    const text = '# app.run(port=1)\napp.run(debug=True, port=5001)  # port=2\nbind = "0.0.0.0:8005"\n';
    expect(brief(parsePython(input('app.py', text)))).toEqual([[2, 'server', null, 5001], [3, 'server', '0.0.0.0', 8005]]);
  });
  it('Python: an if/else on an environment variable set nowhere takes the else branch; set in .env, the if branch; other shapes stay unknown', () => {
    const text = [
      'import os',
      'host = os.getenv("HOST", "0.0.0.0")',
      'port = os.getenv("PORT", "80")',
      'bind_env = os.getenv("BIND", None)',
      'if bind_env:',
      '    use_bind = bind_env',
      'else:',
      '    use_bind = f"{host}:{port}"',
      'bind = use_bind',
      '',
    ].join('\n');
    expect(brief(parsePython(input('gunicorn_conf.py', text)))).toEqual([[9, 'server', '0.0.0.0', 80]]);
    expect(parsePython(input('gunicorn_conf.py', text)).declarations[0]?.via).toMatchObject({ variable: 'PORT', from: 'default', line: 3 });
    expect(brief(parsePython(input('gunicorn_conf.py', text, new Map([['BIND', '127.0.0.1:9000']]))))).toEqual([[9, 'server', '127.0.0.1', 9000]]);
    // A branch with more than the assignment, or a condition that is not a name: which one runs is not known.
    const longer = text.replace('    use_bind = bind_env\n', '    use_bind = bind_env\n    print(use_bind)\n');
    expect(brief(parsePython(input('gunicorn_conf.py', longer)))).toEqual([]);
    expect(parsePython(input('gunicorn_conf.py', longer)).unresolved).toHaveLength(1);
  });
  it('scripts: continuation lines join, the declaration is at the first line', () => {
    const text = '#!/bin/sh\nexec uvicorn main:app \\\n  --port 8010\n';
    expect(parseScript(input('run.sh', text)).declarations).toEqual([
      { file: 'run.sh', line: 2, kind: 'python', role: 'server', host: null, port: 8010, text: 'exec uvicorn main:app \\', protocol: 'tcp', network: 'host', service: null, via: null },
    ]);
  });
  it('launch.json: comments, trailing commas, args with --port', () => {
    const text = '{\n  // c\n  "configurations": [\n    { "args": ["--port", "7001",], /* x */ },\n  ],\n}\n';
    const parsed = parseLaunchJson(input('.vscode/launch.json', text));
    expect(brief(parsed)).toEqual([[4, 'server', null, 7001]]);
    expect(parsed.warnings).toEqual([]);
  });
  it('angular proxy config in array form', () => {
    const text = '[\n  { "context": ["/api"], "target": "http://localhost:3100" }\n]\n';
    expect(brief(parseAngular(input('proxy.conf.json', text)))).toEqual([[2, 'client', 'localhost', 3100]]);
  });
});

describe('every parser survives arbitrary text (property)', () => {
  const parsers: [string, (i: ParserInput) => ParsedFile][] = [
    ['.env', parseEnvFile],
    ['package.json', parsePackageJson],
    ['compose.yaml', parseCompose],
    ['vite.config.ts', (i) => parseJsConfig(i, 'vite')],
    ['angular.json', parseAngular],
    ['nginx.conf', parseNginx],
    ['Procfile', parseProcfile],
    ['application.properties', parseSpring],
    ['application.yml', parseSpring],
    ['config/puma.rb', parseRails],
    ['main.py', parsePython],
    ['.vscode/launch.json', parseLaunchJson],
    ['Dockerfile', parseScript],
  ];
  it.each(parsers)('%s', (file, parse) => {
    const alphabet = fc.constantFrom(...'{}[]():;,="\'`#/\\\n $-_.:0123456789abcport'.split(''));
    fc.assert(fc.property(fc.string({ unit: alphabet, maxLength: 120 }), (text) => {
      const parsed = parse(input(file, text));
      for (const d of parsed.declarations) {
        expect(d.port).toBeGreaterThanOrEqual(1);
        expect(d.port).toBeLessThanOrEqual(65535);
        expect(d.line).toBeGreaterThanOrEqual(1);
      }
    }), { numRuns: 200 });
  });
});

describe('.env expansion across files of one directory', () => {
  it('expands ${VAR} with the merged variables (.env.local wins) but keeps each key its own value', () => {
    const merged = new Map([['PORT', '3001'], ['HOST', 'localhost']]);
    const parsed = parseEnvFile(input('.env', 'PORT=${PORT:-3000}\nHOST=localhost\nAPI_URL=http://${HOST}:${PORT}\n', merged));
    expect(brief(parsed)).toEqual([[1, 'unknown', 'localhost', 3000], [3, 'client', 'localhost', 3001]]);
    expect(brief(parseEnvFile(input('.env.local', 'PORT=3001\n', merged)))).toEqual([[1, 'unknown', 'localhost', 3001]]);
  });
});
