#!/usr/bin/env node
// Layering check of server/src (docs/design.md, "Layers"): reads every #include line and fails
// (exit 1, one `file:line: ...` per offence) when a file includes something its layer may not —
// a layer above it, a peer, or (app/) anything but the standard library and app/ itself.
//
//   node scripts/check_layers.mjs               check server/src
//   node scripts/check_layers.mjs --src DIR     check another tree (no known violations apply)
//   node scripts/check_layers.mjs --self-test   run the check on scripts/check_layers/fixture,
//                                               whose offending lines carry `// expect-violation`
// No dependencies: node's standard library only.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

// ---- The rules (paths relative to server/src) ----
//
// Layers from top to bottom. A file belongs to the layer with the longest pattern matching its
// path ("dir/" = everything below dir, "*" = any characters but "/"). A file may include files
// of its own layer, and files of a layer further down that its layer's `may` patterns match:
// includes only ever point down the list, whatever the patterns say.
// `stdOnly`: angle-bracket includes must be standard library headers.
const LAYERS = [
  {
    name: 'wiring',
    files: ['main.cpp', 'runtime.*', 'options.*', 'conformance.*'],
    may: ['gateway/', 'socketio/', 'engineio/', 'http/', 'net/', 'protocol/', 'state/', 'store/',
      'app/', 'config/', 'core/'],
  },
  {
    // The one place where wire JSON meets the domain.
    name: 'gateway',
    files: ['gateway/'],
    may: ['socketio/', 'http/', 'app/', 'core/'],
  },
  // socketio/ and http/ are not peers: engineio/ is an http::handler and parses query strings
  // with http/path.hpp, so http/ sits below engineio/. socketio/ and http/ include neither
  // the other.
  { name: 'socketio', files: ['socketio/'], may: ['engineio/', 'protocol/', 'config/defaults.hpp', 'core/'] },
  {
    name: 'engineio',
    files: ['engineio/'],
    may: ['http/', 'net/', 'protocol/', 'config/defaults.hpp', 'core/'],
  },
  { name: 'http', files: ['http/'], may: ['http/message.hpp', 'http/handler.hpp', 'core/'] },
  // Beast lives here; from http/ it sees only the shared vocabulary (the next layer).
  {
    name: 'net',
    files: ['net/'],
    may: ['http/message.hpp', 'http/handler.hpp', 'protocol/', 'config/defaults.hpp', 'core/'],
  },
  // http/'s plain request/response values and handler interface, shared by net/ and handlers.
  { name: 'http-vocabulary', files: ['http/message.*', 'http/handler.hpp'], may: ['core/'] },
  { name: 'protocol', files: ['protocol/'], may: ['core/'] },
  // Implements app/'s ports (the session store).
  { name: 'state', files: ['state/'], may: ['app/', 'core/'] },
  // Implements app/'s file ports on the operating system: blobs on disk, libmagic's sniffer.
  { name: 'store', files: ['store/'], may: ['app/', 'core/'] },
  // The domain: the standard library and app/ only (CMake's hallway_app links no Boost).
  { name: 'app', files: ['app/'], may: [], stdOnly: true },
  { name: 'config', files: ['config/'], may: ['core/'] },
  { name: 'core', files: ['core/'], may: [] },
];

// Includes that break the rules today. Listed, never silent: each run prints them, and an
// entry that no longer occurs fails the check (delete it when the include is gone).
const KNOWN = [
  {
    file: 'app/validate.cpp',
    include: 'core/utf8.hpp',
    why: 'the UTF-8 decoder is core/; app/ should own one (CMake links it via hallway_app_core_deps)',
  },
  {
    file: 'app/file_name.cpp',
    include: 'core/utf8.hpp',
    why: 'the same UTF-8 decoder as app/validate.cpp (file names are repaired, not refused)',
  },
  {
    file: 'app/ports.hpp',
    include: 'core/random.hpp',
    why: 'crypto_random (OpenSSL) is defined in app/; it belongs in core/ or state/ behind app::random',
  },
];

// The C++20 standard library, C++ headers and the C compatibility headers.
const STD_HEADERS = new Set(`
  algorithm any array atomic barrier bit bitset charconv chrono codecvt compare complex concepts
  condition_variable coroutine deque exception execution filesystem format forward_list fstream
  functional future initializer_list iomanip ios iosfwd iostream istream iterator latch limits
  list locale map memory memory_resource mutex new numbers numeric optional ostream queue random
  ranges ratio regex scoped_allocator semaphore set shared_mutex source_location span sstream
  stack stdexcept stop_token streambuf string string_view syncstream system_error thread tuple
  type_traits typeindex typeinfo unordered_map unordered_set utility valarray variant vector
  version
  cassert cctype cerrno cfenv cfloat cinttypes climits clocale cmath csetjmp csignal cstdarg
  cstddef cstdint cstdio cstdlib cstring ctime cuchar cwchar cwctype
`.split(/\s+/).filter(Boolean));

// ---- The check ----

const SOURCE = /\.(cpp|hpp|h|ipp)$/;
const INCLUDE = /^\s*#\s*include\s*([<"])([^>"]+)[>"]/;

function toRegExp(pattern) {
  const body = pattern
    .split('*')
    .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/]*');
  return new RegExp(`^${body}${pattern.endsWith('/') ? '' : '$'}`);
}

const compiled = LAYERS.map((l, rank) => ({
  ...l,
  rank,
  fileRes: l.files.map((p) => ({ p, re: toRegExp(p) })),
  mayRes: l.may.map((p) => ({ p, re: toRegExp(p) })),
}));

/** The layer of a path (relative to the source root), or undefined. */
function layerOf(path) {
  let best;
  let bestLength = -1;
  for (const l of compiled) {
    for (const { p, re } of l.fileRes) {
      if (re.test(path) && p.length > bestLength) {
        best = l;
        bestLength = p.length;
      }
    }
  }
  return best;
}

function listSources(root, dir = root) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listSources(root, full));
    else if (SOURCE.test(name)) out.push(relative(root, full).split(sep).join('/'));
  }
  return out;
}

/** Resolves a quoted include as the compiler does here: from the source root (-I src), or
 * next to the including file. */
function resolveInclude(root, from, target) {
  if (existsSync(join(root, target))) return target;
  const local = join(dirname(from), target).split(sep).join('/');
  if (existsSync(join(root, local))) return local;
  return undefined;
}

/** Every offence in the tree at `root`: [{ file, line, message, include }]. */
export function check(root) {
  const files = listSources(root);
  const problems = [];
  const report = (file, line, include, message) =>
    problems.push({ file, line, include, message });

  for (const file of files) {
    const layer = layerOf(file);
    const lines = readFileSync(join(root, file), 'utf8').split('\n');
    if (!layer) {
      report(file, 1, '', 'file is in no layer: add its folder to LAYERS in scripts/check_layers.mjs');
      continue;
    }
    lines.forEach((text, i) => {
      const m = INCLUDE.exec(text);
      if (!m) return;
      const [, kind, target] = m;
      if (kind === '<') {
        if (layer.stdOnly && !STD_HEADERS.has(target)) {
          report(file, i + 1, target, `${layer.name} includes <${target}>: only the standard library is allowed`);
        }
        return;
      }
      const path = resolveInclude(root, file, target);
      if (!path) {
        report(file, i + 1, target, `"${target}" is not a file under the source root`);
        return;
      }
      const to = layerOf(path);
      if (to === layer) return;
      // Down only, whatever the patterns say.
      if (to && to.rank > layer.rank && layer.mayRes.some(({ re }) => re.test(path))) return;
      const where = to ? (to.rank < layer.rank ? 'a layer above' : 'not allowed') : 'no layer';
      report(file, i + 1, path,
        `${layer.name} includes "${path}" (${to ? to.name : 'no layer'}: ${where}); ` +
        `${layer.name} may include ${layer.may.length ? layer.may.join(' ') : 'only itself'}`);
    });
  }
  return problems;
}

function main(argv) {
  const here = dirname(fileURLToPath(import.meta.url));
  if (argv[0] === '--self-test') return selfTest(here);
  const custom = argv[0] === '--src';
  const root = resolve(custom ? argv[1] : join(here, '..', 'server', 'src'));
  const known = custom ? [] : KNOWN;
  const problems = check(root);
  const isKnown = (p) => known.some((k) => k.file === p.file && k.include === p.include);
  const shown = relative(process.cwd(), root) || '.';
  let failures = 0;
  for (const p of problems) {
    if (isKnown(p)) continue;
    console.log(`${shown}/${p.file}:${p.line}: ${p.message}`);
    failures++;
  }
  for (const k of known) {
    if (problems.some((p) => p.file === k.file && p.include === k.include)) {
      console.log(`known violation (to fix): ${shown}/${k.file} includes "${k.include}": ${k.why}`);
    } else {
      console.log(`${shown}/${k.file}: no longer includes "${k.include}": remove it from KNOWN`);
      failures++;
    }
  }
  const count = listSources(root).length;
  console.log(failures ? `layers: ${failures} problem(s) in ${count} files` : `layers: ok (${count} files)`);
  return failures ? 1 : 0;
}

// Runs the CLI on the fixture (a small tree whose offending lines carry `// expect-violation`):
// it must exit 1 and report exactly the marked lines.
function selfTest(here) {
  const fixture = join(here, 'check_layers', 'fixture');
  const expected = new Set();
  for (const f of listSources(fixture)) {
    readFileSync(join(fixture, f), 'utf8').split('\n').forEach((text, i) => {
      if (text.includes('// expect-violation')) expected.add(`${f}:${i + 1}`);
    });
  }
  const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--src', fixture], {
    encoding: 'utf8',
  });
  const reported = new Set();
  for (const line of run.stdout.split('\n')) {
    const m = /^.*?check_layers\/fixture\/([^:]+:\d+):/.exec(line);
    if (m) reported.add(m[1]);
  }
  const missed = [...expected].filter((x) => !reported.has(x));
  const extra = [...reported].filter((x) => !expected.has(x));
  const ok = run.status === 1 && missed.length === 0 && extra.length === 0 && expected.size > 0;
  if (!ok) {
    console.log(run.stdout);
    console.log(`self-test FAILED: exit ${run.status} (want 1); missed ${missed.join(', ') || '-'}; ` +
      `unexpected ${extra.join(', ') || '-'}`);
    return 1;
  }
  console.log(`layers self-test: ok (${expected.size} marked violations reported, nothing else)`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
