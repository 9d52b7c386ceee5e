import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expand, rubyValue, resolverOf, sourceAt } from '../../src/config/interpolate.js';
import { readAddress } from '../../src/config/text.js';
import { resolveAddress, resolvePort } from '../../src/config/values.js';

const none = new Map<string, string>();
const at = { file: 'compose.yaml', line: 7 };

describe('interpolation engine: shell / Compose / dotenv', () => {
  it('expands a default that contains another default (the issue: `${A:-http://localhost:${B:-4000}}`)', () => {
    const value = '${DISCORDBOT_BASE_URL:-http://localhost:${EXPOSED_SERVER_PORT:-4000}}';
    const expansion = expand(value, 'compose', resolverOf(none), at);
    expect(expansion.text).toBe('http://localhost:4000');
    expect(expansion.complete).toBe(true);
    // The port came from the inner default, and says so.
    expect(sourceAt(expansion, 17, 21)).toEqual({ variable: 'EXPOSED_SERVER_PORT', from: 'default', file: 'compose.yaml', line: 7 });
  });

  it('takes a set variable over its default, at any depth, and names the .env line it came from', () => {
    const vars = new Map([['EXPOSED_SERVER_PORT', '4100']]);
    const origins = new Map([['EXPOSED_SERVER_PORT', { file: '.env', line: 3 }]]);
    const expansion = expand('${BASE:-http://localhost:${EXPOSED_SERVER_PORT:-4000}}', 'compose', resolverOf(vars, origins), at);
    expect(expansion.text).toBe('http://localhost:4100');
    expect(sourceAt(expansion, 17, 21)).toEqual({ variable: 'EXPOSED_SERVER_PORT', from: 'env-file', file: '.env', line: 3 });
    expect(expand('${BASE:-x}', 'compose', resolverOf(new Map([['BASE', 'http://api:1']]))).text).toBe('http://api:1');
  });

  it('leaves a variable that is set nowhere as written and marks the expansion incomplete', () => {
    for (const value of ['http://localhost:${PORT}', 'http://localhost:$PORT', '${PORT:?required}', '${A:+alt}', '$1', '${#A}', '${A%x}']) {
      const expansion = expand(value, 'shell', resolverOf(none));
      expect(expansion.complete, value).toBe(false);
      expect(expansion.text, value).toBe(value);
    }
  });

  it('follows shell semantics for : (empty counts as unset) and the = / ? / + operators', () => {
    const vars = resolverOf(new Map([['EMPTY', ''], ['SET', 'x']]));
    expect(expand('${EMPTY:-d}', 'shell', vars).text).toBe('d');
    expect(expand('${EMPTY-d}', 'shell', vars).text).toBe('');
    expect(expand('${UNSET:=d}', 'shell', vars).text).toBe('d');
    expect(expand('${SET:+alt}', 'shell', vars).text).toBe('alt');
    expect(expand('${SET:?msg}', 'shell', vars).text).toBe('x');
  });

  it("reads Compose's $$ as a literal $ and keeps the shell's $$ as written", () => {
    expect(expand('$${POSTGRES_USER}', 'compose').text).toBe('${POSTGRES_USER}');
    expect(expand('kill $$', 'shell').text).toBe('kill $$');
  });

  it('never throws and keeps text without $ unchanged (property)', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => {
      const expansion = expand(s, 'compose', resolverOf(none));
      expect(typeof expansion.text).toBe('string');
      if (!s.includes('$')) expect(expansion.text).toBe(s);
    }));
  });

  it('yields the innermost default through any nesting depth up to eight (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 65535 }), fc.integer({ min: 1, max: 7 }), (port, depth) => {
      let value = String(port);
      for (let i = 0; i < depth; i++) value = `\${V${i}:-${value}}`;
      expect(expand(value, 'shell').text).toBe(String(port));
    }));
  });
});

describe('interpolation engine: Spring and Ruby', () => {
  it('Spring: ${name:default}, nested, names with dots, the file’s own properties first', () => {
    expect(expand('${CONFIG_SERVER_URL:http://localhost:8888/}', 'spring').text).toBe('http://localhost:8888/');
    expect(expand('${A:${B:8081}}', 'spring').text).toBe('8081');
    expect(expand('${server.port}', 'spring', resolverOf(new Map([['server.port', '9000']]))).text).toBe('9000');
    expect(expand('${PORT}', 'spring').complete).toBe(false);
  });

  it("Ruby: #{ENV.fetch('BIND','127.0.0.1')} and #{ENV.fetch('PORT',3000)} inside a Puma bind string", () => {
    const expansion = expand("tcp://#{ENV.fetch('BIND','127.0.0.1')}:#{ENV.fetch('PORT',3000)}", 'ruby', resolverOf(none), { file: 'config/puma.rb', line: 2 });
    expect(expansion.text).toBe('tcp://127.0.0.1:3000');
    expect(sourceAt(expansion, 16, 20)).toEqual({ variable: 'PORT', from: 'default', file: 'config/puma.rb', line: 2 });
  });

  it('Ruby: the default forms (argument, block, ||) and an unknown expression', () => {
    const r = resolverOf(none);
    const place = { file: 'config/puma.rb', line: 1 };
    expect(rubyValue('ENV.fetch("PORT") { 3000 }', r, place)?.value).toBe('3000');
    expect(rubyValue("ENV['PORT'] || 3001", r, place)?.value).toBe('3001');
    expect(rubyValue('Integer(ENV.fetch("PORT", 3002))', r, place)?.value).toBe('3002');
    expect(rubyValue('ENV["PORT"]', r, place)).toBeNull();
    expect(rubyValue('Etc.nprocessors', r, place)).toBeNull();
  });
});

describe('addresses: an unreadable port is unknown, never the scheme default', () => {
  it('reads the port written, the scheme default only when no port is written', () => {
    expect(readAddress('http://localhost:4000/x')).toMatchObject({ ok: true, host: 'localhost', port: 4000 });
    expect(readAddress('http://localhost/x')).toMatchObject({ ok: true, host: 'localhost', port: 80 });
  });

  it.each([
    ['http://localhost:${EXPOSED_SERVER_PORT}', '${EXPOSED_SERVER_PORT}'],
    ['http-get://127.0.0.1:$npm_package_config_x', '$npm_package_config_x'],
    ['http://localhost:8o80/', '8o80'],
    ['http://localhost:80\u0001\u0002', '80\u0001\u0002'],
    ['localhost:$PORT', '$PORT'],
    [':${PORT}', '${PORT}'],
  ])('%s → port unknown (%s)', (text, value) => {
    expect(readAddress(text)).toMatchObject({ ok: false, value });
  });

  it('resolveAddress names the default a port came from, or why it is unknown', () => {
    expect(resolveAddress('http://localhost:${P:-4000}', 'shell', () => undefined, at)).toEqual({ ok: true, host: 'localhost', port: 4000, via: { variable: 'P', from: 'default', file: 'compose.yaml', line: 7 } });
    expect(resolveAddress('http://localhost:${P}', 'shell', () => undefined, at)).toEqual({ ok: false, host: 'localhost', value: '${P}', reason: "${P} is not set in the project's files and has no default" });
    expect(resolvePort('${PORT:-3000}', 'shell', () => undefined, at)).toMatchObject({ ok: true, port: 3000 });
    expect(resolvePort('abc', 'shell', () => undefined, at)).toBeNull();
  });

  it('finishes quickly on long values that look almost like URLs (no backtracking blow-up)', () => {
    const long = 'a'.repeat(5000);
    const start = performance.now();
    for (const text of [long, `${long}://`, `${long}:${long}`, `http://${long}:${long}`, `$\{${long}`]) readAddress(text);
    expect(performance.now() - start).toBeLessThan(200);
  });

  it('never throws and never returns a port outside 1–65535 (property)', () => {
    fc.assert(fc.property(fc.string({ maxLength: 120 }), (s) => {
      const read = readAddress(s);
      if (read?.ok === true) {
        expect(read.port).toBeGreaterThanOrEqual(1);
        expect(read.port).toBeLessThanOrEqual(65535);
      }
    }), { numRuns: 500 });
  });
});
