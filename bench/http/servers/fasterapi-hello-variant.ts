// Not a contender: the hello app in the variant HELLO_VARIANT names (hello-app.ts), for
// taking a middleware's cost apart over HTTP with cpu-split.sh, as docs/design.md's "The
// hello pair over HTTP, taken apart" did:
//   HELLO_VARIANT=settled bash bench/http/cpu-split.sh dist/bench/http/servers/fasterapi-hello-variant.js / 1 3
// GC as fasterapi-hello.ts sets it, so that every variant compares with the pair.
import { applyGc, singleThreadedGc } from '../../../src/cli/gc.js';
import { HELLO_VARIANTS, type HelloVariant, createHelloApp } from './hello-app.js';

const variant = (process.env.HELLO_VARIANT ?? 'bare') as HelloVariant;
if (!HELLO_VARIANTS.includes(variant)) {
  console.error(`HELLO_VARIANT must be one of ${HELLO_VARIANTS.join(', ')}; got ${JSON.stringify(variant)}`);
  process.exit(2);
}
applyGc(singleThreadedGc(undefined, 1));
await createHelloApp(variant).listen({ port: Number(process.env.PORT), host: process.env.HOST ?? '127.0.0.1' });
