// A strict, small validator/parser for the Prometheus text exposition format 0.0.4.
//
// Every non-empty line must be one of
//   # HELP <metric_name> <text>
//   # TYPE <metric_name> counter|gauge|histogram|summary|untyped
//   <metric_name>[{<label>="<value>",...}] <number> [<timestamp ms>]
// Rules enforced: valid metric/label names; label values with only \\ \" \n escapes; numbers
// (incl. +Inf/-Inf/NaN); at most one HELP and one TYPE per name, TYPE before the family's first
// sample; every sample's family has a TYPE (histogram: _bucket/_sum/_count; summary: _sum/_count
// and quantile samples); a family's lines form one contiguous group; no duplicate series;
// histogram buckets carry "le" and every histogram series has le="+Inf"; counters are >= 0; the
// text ends with a newline.

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const NUMBER = /^(?:[+-]?Inf|NaN|[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)$/;
const TIMESTAMP = /^-?\d+$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export function parseNumber(s) {
  if (!NUMBER.test(s)) return undefined;
  if (s === 'NaN') return NaN;
  if (/^[+]?Inf$/.test(s)) return Infinity;
  if (s === '-Inf') return -Infinity;
  return Number(s);
}

function parseLabels(s, lineNo) {
  // s starts right after '{'; returns {labels, rest} where rest follows '}'.
  const labels = {};
  let i = 0;
  const fail = (why) => { throw new Error(`line ${lineNo}: ${why}`); };
  for (;;) {
    if (s[i] === '}') { i += 1; break; }
    const nameMatch = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(s.slice(i));
    if (!nameMatch) fail(`bad label name at ${JSON.stringify(s.slice(i, i + 20))}`);
    const name = nameMatch[0];
    if (name.startsWith('__')) fail(`reserved label name ${name}`);
    if (!LABEL_NAME.test(name)) fail(`bad label name ${name}`);
    if (name in labels) fail(`duplicate label ${name}`);
    i += name.length;
    if (s[i] !== '=') fail(`expected '=' after label ${name}`);
    i += 1;
    if (s[i] !== '"') fail(`expected '"' to open the value of label ${name}`);
    i += 1;
    let value = '';
    for (;;) {
      if (i >= s.length) fail(`unterminated value of label ${name}`);
      const c = s[i];
      if (c === '\\') {
        const n = s[i + 1];
        if (n === '\\') value += '\\';
        else if (n === '"') value += '"';
        else if (n === 'n') value += '\n';
        else fail(`bad escape \\${n} in label ${name}`);
        i += 2;
      } else if (c === '"') {
        i += 1;
        break;
      } else {
        value += c;
        i += 1;
      }
    }
    labels[name] = value;
    if (s[i] === ',') { i += 1; continue; }
    if (s[i] === '}') { i += 1; break; }
    fail(`expected ',' or '}' after label ${name}`);
  }
  return { labels, rest: s.slice(i) };
}

/**
 * Parses and validates `text`. Throws an Error naming the line on the first violation.
 * Returns {families: Map<name, {name, type, help, samples}>, samples: [{name, family, labels,
 * value, raw}]}.
 */
export function parsePrometheusText(text) {
  if (typeof text !== 'string') throw new Error('exposition is not a string');
  if (text.length > 0 && !text.endsWith('\n')) throw new Error('exposition does not end with \\n');
  const families = new Map();
  const samples = [];
  const seenSeries = new Set();
  const closed = new Set(); // families whose group has ended
  let current = null; // family name of the current group
  const family = (name) => {
    if (!families.has(name)) families.set(name, { name, type: undefined, help: undefined, samples: [] });
    return families.get(name);
  };
  const enterGroup = (name, lineNo) => {
    if (current === name) return;
    if (closed.has(name)) throw new Error(`line ${lineNo}: lines of metric family ${name} are not contiguous`);
    if (current !== null) closed.add(current);
    current = name;
  };

  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((line, idx) => {
    const lineNo = idx + 1;
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
      if (!m) throw new Error(`line ${lineNo}: not a HELP or TYPE line: ${JSON.stringify(line)}`);
      const [, kind, name, rest = ''] = m;
      if (!METRIC_NAME.test(name)) throw new Error(`line ${lineNo}: bad metric name ${name}`);
      enterGroup(name, lineNo);
      const f = family(name);
      if (kind === 'HELP') {
        if (f.help !== undefined) throw new Error(`line ${lineNo}: second HELP for ${name}`);
        if (!/^(?:[^\\]|\\[\\n])*$/.test(rest)) throw new Error(`line ${lineNo}: bad escape in HELP of ${name}`);
        f.help = rest;
      } else {
        if (f.type !== undefined) throw new Error(`line ${lineNo}: second TYPE for ${name}`);
        if (!TYPES.has(rest)) throw new Error(`line ${lineNo}: bad TYPE ${JSON.stringify(rest)} for ${name}`);
        if (f.samples.length > 0) throw new Error(`line ${lineNo}: TYPE for ${name} after its samples`);
        f.type = rest;
      }
      return;
    }

    const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
    if (!nameMatch) throw new Error(`line ${lineNo}: bad sample line: ${JSON.stringify(line)}`);
    const name = nameMatch[0];
    let rest = line.slice(name.length);
    let labels = {};
    if (rest.startsWith('{')) {
      ({ labels, rest } = parseLabels(rest.slice(1), lineNo));
    }
    const vm = /^ +(\S+)(?: +(\S+))?$/.exec(rest);
    if (!vm) throw new Error(`line ${lineNo}: expected ' value [timestamp]' in ${JSON.stringify(line)}`);
    const value = parseNumber(vm[1]);
    if (value === undefined) throw new Error(`line ${lineNo}: bad number ${JSON.stringify(vm[1])}`);
    if (vm[2] !== undefined && !TIMESTAMP.test(vm[2])) {
      throw new Error(`line ${lineNo}: bad timestamp ${JSON.stringify(vm[2])}`);
    }

    // Which family does this sample belong to?
    let famName = null;
    const exact = families.get(name);
    if (exact && exact.type !== undefined) {
      famName = name;
    } else {
      for (const [suffix, types] of [['_bucket', ['histogram']], ['_sum', ['histogram', 'summary']],
        ['_count', ['histogram', 'summary']]]) {
        if (name.endsWith(suffix)) {
          const base = families.get(name.slice(0, -suffix.length));
          if (base && types.includes(base.type)) famName = base.name;
        }
      }
    }
    if (famName === null) throw new Error(`line ${lineNo}: sample ${name} has no preceding TYPE`);
    const f = families.get(famName);
    enterGroup(famName, lineNo);

    if (f.type === 'histogram') {
      if (name === famName) throw new Error(`line ${lineNo}: histogram ${famName} sample without suffix`);
      if (name.endsWith('_bucket')) {
        if (!('le' in labels)) throw new Error(`line ${lineNo}: bucket without le label`);
        if (parseNumber(labels.le) === undefined) throw new Error(`line ${lineNo}: bad le ${labels.le}`);
      }
    }
    if (f.type === 'summary' && name === famName && !('quantile' in labels)) {
      throw new Error(`line ${lineNo}: summary ${famName} sample without quantile label`);
    }
    if (f.type === 'counter' && !(value >= 0)) {
      throw new Error(`line ${lineNo}: counter ${name} has value ${vm[1]}`);
    }
    const key = `${name}{${Object.keys(labels).sort().map((k) => `${k}=${JSON.stringify(labels[k])}`).join(',')}}`;
    if (seenSeries.has(key)) throw new Error(`line ${lineNo}: duplicate series ${key}`);
    seenSeries.add(key);
    const sample = { name, family: famName, labels, value, raw: line };
    f.samples.push(sample);
    samples.push(sample);
  });

  // Histograms: each label set (without le) needs an le="+Inf" bucket.
  for (const f of families.values()) {
    if (f.type !== 'histogram') continue;
    const sets = new Map();
    for (const s of f.samples) {
      if (!s.name.endsWith('_bucket')) continue;
      const { le, ...rest } = s.labels;
      const k = JSON.stringify(Object.keys(rest).sort().map((x) => [x, rest[x]]));
      if (!sets.has(k)) sets.set(k, false);
      if (parseNumber(le) === Infinity) sets.set(k, true);
    }
    for (const [k, hasInf] of sets) {
      if (!hasInf) throw new Error(`histogram ${f.name} series ${k} has no le="+Inf" bucket`);
    }
  }
  return { families, samples };
}

/** Samples named `name` whose labels include every pair in `match`. */
export function findSamples(parsed, name, match = {}) {
  return parsed.samples.filter((s) => s.name === name
    && Object.entries(match).every(([k, v]) => s.labels[k] === v));
}

/** Sum of the values of findSamples(...) (0 when none). */
export function sumSamples(parsed, name, match = {}) {
  return findSamples(parsed, name, match).reduce((a, s) => a + s.value, 0);
}
