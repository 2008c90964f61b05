// --ssl-* flags into node:tls options, read once at start-up.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TlsOptions } from 'node:tls';
import { type CliConfig, UsageError } from './args.js';
import { firstLine } from './detect.js';

export function tlsOptions(config: CliConfig, cwd: string): TlsOptions {
  const read = (flag: string, file: string): Buffer => {
    try {
      return readFileSync(resolve(cwd, file));
    } catch (err) {
      throw new UsageError(`${flag} ${file}: ${firstLine(err)}`);
    }
  };
  const o: TlsOptions = { key: read('--ssl-keyfile', config.sslKeyfile!), cert: read('--ssl-certfile', config.sslCertfile!) };
  if (config.sslKeyfilePassword !== null) o.passphrase = config.sslKeyfilePassword;
  if (config.sslCaCerts !== null) {
    o.ca = read('--ssl-ca-certs', config.sslCaCerts);
    // uvicorn's --ssl-cert-reqs 1 (CERT_OPTIONAL): ask for a client certificate, verify one if sent.
    o.requestCert = true;
    o.rejectUnauthorized = false;
  }
  return o;
}
