// Self-test of the Prometheus text-format validator used by http_ops.test.mjs (no server needed):
// it must accept well-formed expositions and reject each kind of malformed one.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { findSamples, parsePrometheusText, sumSamples } from './lib/prometheus.mjs';

const GOOD = `# HELP hallway_http_requests_total Requests answered.
# TYPE hallway_http_requests_total counter
hallway_http_requests_total{route="static",status="200"} 3
hallway_http_requests_total{route="healthz",status="200",} 1 1700000000000
# TYPE hallway_open_connections gauge
hallway_open_connections 2
# HELP hallway_latency_seconds Latency with "quotes" and a \\\\ backslash.
# TYPE hallway_latency_seconds histogram
hallway_latency_seconds_bucket{le="0.1"} 1
hallway_latency_seconds_bucket{le="+Inf"} 2
hallway_latency_seconds_sum 0.35
hallway_latency_seconds_count 2
# TYPE rpc_seconds summary
rpc_seconds{quantile="0.5"} 1.5e-3
rpc_seconds_sum NaN
rpc_seconds_count 0
# TYPE weird gauge
weird{path="a \\"b\\" \\\\ c\\nd"} -Inf
`;

describe('prometheus validator', { timeout: 5000 }, () => {
  test('accepts a well-formed exposition and extracts samples', () => {
    const p = parsePrometheusText(GOOD);
    assert.equal(p.families.get('hallway_http_requests_total').type, 'counter');
    assert.equal(sumSamples(p, 'hallway_http_requests_total', { route: 'static', status: '200' }), 3);
    assert.equal(findSamples(p, 'hallway_open_connections')[0].value, 2);
    assert.equal(findSamples(p, 'weird')[0].labels.path, 'a "b" \\ c\nd');
    assert.equal(findSamples(p, 'weird')[0].value, -Infinity);
    assert.ok(Number.isNaN(findSamples(p, 'rpc_seconds_sum')[0].value));
  });

  const bad = {
    'sample without TYPE': 'foo 1\n',
    'TYPE after samples': '# TYPE foo gauge\nfoo 1\n# TYPE bar gauge\nbar 1\n# TYPE foo gauge\n',
    'unknown type': '# TYPE foo meter\nfoo 1\n',
    'bad metric name': '# TYPE 1foo gauge\n1foo 1\n',
    'bad label name': '# TYPE foo gauge\nfoo{1a="x"} 1\n',
    'unquoted label value': '# TYPE foo gauge\nfoo{a=x} 1\n',
    'bad escape': '# TYPE foo gauge\nfoo{a="\\t"} 1\n',
    'unterminated labels': '# TYPE foo gauge\nfoo{a="x" 1\n',
    'bad number': '# TYPE foo gauge\nfoo 1,5\n',
    'missing value': '# TYPE foo gauge\nfoo\n',
    'bad timestamp': '# TYPE foo gauge\nfoo 1 1.5\n',
    'free comment line': '# just a comment\n# TYPE foo gauge\nfoo 1\n',
    'duplicate series': '# TYPE foo gauge\nfoo{a="1"} 1\nfoo{a="1"} 2\n',
    'interleaved families': '# TYPE a gauge\n# TYPE b gauge\na 1\nb 1\n',
    'histogram without +Inf': '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n',
    'bucket without le': '# TYPE h histogram\nh_bucket 1\n',
    'bad escape in HELP': '# HELP foo a \\t b\n# TYPE foo gauge\nfoo 1\n',
    'negative counter': '# TYPE c counter\nc -1\n',
    'no trailing newline': '# TYPE foo gauge\nfoo 1',
    'garbage line': '# TYPE foo gauge\nfoo 1\n<html>\n',
    'counter TYPE without _total used for _total sample': '# TYPE c counter\nc_total 1\n',
  };
  for (const [name, text] of Object.entries(bad)) {
    test(`rejects: ${name}`, () => {
      assert.throws(() => parsePrometheusText(text), Error);
    });
  }
});
