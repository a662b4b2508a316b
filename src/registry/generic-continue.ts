// List continue tokens. Like kube-apiserver's, a token records the revision the first page was
// read at and the last key returned, so later pages are read at the same revision (a consistent
// snapshot) and start after that key. The key is kept relative to the collection prefix, so a
// token cannot be used to read outside the collection it came from.
import { badRequest } from '../api/errors.js';

interface Token {
  v: string;
  rv: number;
  start: string;
}

export function encodeContinue(revision: number, lastKey: string, prefix: string): string {
  const t: Token = { v: 'meta.k8s.io/v1', rv: revision, start: lastKey.slice(prefix.length) };
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

export function decodeContinue(token: string, prefix: string): { revision: number; startAfter: string } {
  let t: Partial<Token>;
  try {
    t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<Token>;
  } catch {
    throw badRequest('continue key is not valid: illegal base64 data');
  }
  if (t.v !== 'meta.k8s.io/v1') throw badRequest('continue key is not valid: server does not recognize this encoded key');
  if (typeof t.rv !== 'number' || !Number.isInteger(t.rv) || t.rv <= 0 || typeof t.start !== 'string') {
    throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
  if (t.start.includes('/') && t.start.split('/').some((p) => p === '..' || p === '.')) {
    throw badRequest('continue key is not valid: the key must not contain . or .. path segments');
  }
  return { revision: t.rv, startAfter: prefix + t.start };
}
