// The CommonJS entry (`require('fasterapi')`). The package is ES modules: Node.js 20.19+
// and 22.12+ load them with require(); older ones get one line saying what to do instead
// of Node's multi-line ERR_REQUIRE_ESM.
try {
  module.exports = require('./index.js');
} catch (err) {
  const code = (err as { code?: string }).code;
  if (code !== 'ERR_REQUIRE_ESM' && code !== 'ERR_REQUIRE_ASYNC_MODULE') throw err;
  throw new Error(`fasterapi is an ES module and this Node.js (${process.version}) cannot require() it: use import, or await import('fasterapi'), or Node.js >= 20.19`);
}
