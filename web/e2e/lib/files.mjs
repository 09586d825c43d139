// Real files made in the test: the generators are shared with the server's integration tests.
export {
  crc32, makePdf, makePng, makeZip, sha256,
} from '../../../server/test/integration/lib/samples.mjs';
