/**
 * Reads and checks the hub's TLS certificate and key at start-up (ANXIN_TLS_CERT/ANXIN_TLS_KEY),
 * so a missing file, a bad PEM or a key that does not match the certificate is reported with
 * the other settings problems instead of failing on the first connection.
 */
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { X509Certificate } from 'node:crypto';

export interface TlsMaterial { certPath: string; keyPath: string; cert: Buffer; key: Buffer; notAfter: string; subject: string }

export function readTlsFiles(certPath: string | undefined, keyPath: string | undefined, problems: string[]): TlsMaterial | null {
  if (!certPath && !keyPath) return null;
  if (!certPath || !keyPath) {
    problems.push(`ANXIN_TLS_CERT and ANXIN_TLS_KEY: set both (certificate and key) or neither`);
    return null;
  }
  const read = (name: string, path: string): Buffer | null => {
    try {
      return readFileSync(path);
    } catch (err) {
      problems.push(`${name}=${JSON.stringify(path)}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      return null;
    }
  };
  const cert = read('ANXIN_TLS_CERT', certPath);
  const key = read('ANXIN_TLS_KEY', keyPath);
  if (!cert || !key) return null;
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    problems.push(`ANXIN_TLS_CERT=${JSON.stringify(certPath)}: not a PEM certificate`);
    return null;
  }
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    problems.push(`ANXIN_TLS_KEY=${JSON.stringify(keyPath)}: not a usable private key for that certificate (${(err as Error).message})`);
    return null;
  }
  if (Date.parse(x509.validTo) < Date.now()) problems.push(`ANXIN_TLS_CERT=${JSON.stringify(certPath)}: the certificate expired on ${x509.validTo}`);
  return { certPath, keyPath, cert, key, notAfter: x509.validTo, subject: x509.subject };
}
