/** `keygen`, `sign`, `verify`: wasmsign2-compatible signatures (engine/operations/keygen.ts, signatures.ts). */
import { keygenFiles } from '../../engine/operations/keygen';
import { signFile, verifyFile, type SignatureReport } from '../../engine/operations/signatures';
import { SigningError } from '../../engine/signing';
import { bool, list, oneOf, parseArgs, str } from '../args';
import { CliError } from '../errors';
import { paint, type Io } from '../io';
import { makePolicyStore, requireFile } from '../inputs';
import { displayPath } from '../report';
import { commonFlags } from './check';
import type { CommandDef } from './types';

/** Key and signature problems the user can fix (bad key file, malformed detached signature...) are input errors. */
function signingErrors<T>(command: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof SigningError) throw new CliError(`${command}: ${err.message}`);
    throw err;
  }
}

function warn(io: Io, warnings: string[]): void {
  if (!io.quiet) for (const w of warnings) io.err(`warning: ${w}\n`);
}

export const keygen: CommandDef = {
  name: 'keygen',
  summary: 'generate an Ed25519 key pair for signing modules (wasmsign2 format)',
  usage: 'wasm-warden keygen --secret-key FILE --public-key FILE [--pem] [--force]',
  flags: {
    'secret-key': { type: 'string', short: ['k'], value: 'FILE', description: 'where to write the secret key (mode 600)' },
    'public-key': { type: 'string', short: ['K'], value: 'FILE', description: 'where to write the public key' },
    pem: { type: 'boolean', description: 'PEM (PKCS#8 / SPKI) instead of wasmsign2 raw keys' },
    force: { type: 'boolean', description: 'overwrite existing key files' },
  },
  details: ['Exit codes: 0 written, 2 usage error or a key file exists (without --force).'],
  examples: ['wasm-warden keygen --secret-key secret.key --public-key public.key', 'wasm-warden keygen -k ci.pem -K ci.pub.pem --pem'],
  async run(argv, io) {
    const p = parseArgs(argv, { ...this.flags, ...commonFlags }, 'keygen');
    const secretKey = str(p, 'secret-key');
    const publicKey = str(p, 'public-key');
    if (!secretKey || !publicKey) throw new CliError('keygen: --secret-key FILE and --public-key FILE are both required');
    if (p.positionals.length) throw new CliError(`keygen: unexpected argument ${p.positionals[0]}`);
    const r = keygenFiles({ secretKey, publicKey, format: bool(p, 'pem') ? 'pem' : 'raw', overwrite: bool(p, 'force') });
    if (r.exists) throw new CliError(`keygen: ${displayPath(r.file ?? secretKey)} already exists (use --force to overwrite)`);
    io.out(`wrote secret key ${displayPath(secretKey)} and public key ${displayPath(publicKey)}${r.keyId ? ` (key id ${r.keyId})` : ''}\n`);
    return 0;
  },
};

export const sign: CommandDef = {
  name: 'sign',
  summary: 'sign a module (embedded signature, or --detached)',
  usage: 'wasm-warden sign <in.wasm> --secret-key FILE [-o out.wasm] [--detached SIG_FILE] [--key-id ID] [--force]',
  flags: {
    'secret-key': { type: 'string', short: ['k'], value: 'FILE', description: 'secret key (wasmsign2 raw, PEM/DER PKCS#8 or OpenSSH)' },
    output: { type: 'string', short: ['o'], value: 'FILE', description: 'signed module (default: sign the input in place)' },
    detached: { type: 'string', short: ['S'], value: 'SIG_FILE', description: 'write a detached signature and leave the module unchanged' },
    'key-id': { type: 'string', value: 'ID', description: 'key id (text, or hex:...) stored with the signature' },
    force: { type: 'boolean', description: 'overwrite the output / signature file if it exists' },
  },
  details: ['Without -o the module is signed in place. Exit codes: 0 signed, 2 usage or input error (bad key, output exists...).'],
  examples: [
    'wasm-warden sign app.wasm --secret-key secret.key -o app.signed.wasm',
    'wasm-warden sign app.wasm -k secret.key --detached app.wasm.sig',
  ],
  async run(argv, io) {
    const p = parseArgs(argv, { ...this.flags, ...commonFlags }, 'sign');
    if (p.positionals.length !== 1) throw new CliError(`sign: expected one module, got ${p.positionals.length}`);
    const file = requireFile(p.positionals[0], 'sign');
    const secretKeyPath = requireFile(str(p, 'secret-key'), 'sign', 'secret key (--secret-key FILE)');
    const output = str(p, 'output');
    const detached = str(p, 'detached');
    if (output && detached) throw new CliError('sign: give either -o (embedded signature) or --detached, not both');
    const r = signingErrors('sign', () => signFile(file, { secretKeyPath, output, detached, keyId: str(p, 'key-id'), overwrite: bool(p, 'force') }));
    warn(io, r.warnings);
    if (r.output?.exists) throw new CliError(`sign: ${displayPath(r.output.file)} already exists (use --force to overwrite)`);
    if (!r.output?.written) throw new CliError(`sign: ${displayPath(file)}: nothing written`);
    io.out(detached ? `wrote detached signature ${displayPath(r.output.file)} for ${displayPath(file)}\n` : `signed ${displayPath(file)} -> ${displayPath(r.output.file)}\n`);
    return 0;
  },
};

export const verify: CommandDef = {
  name: 'verify',
  summary: "verify a module's signature with public keys (or the policy's trusted keys)",
  usage: 'wasm-warden verify <in.wasm> --public-key FILE [--public-key FILE...] [--signature SIG_FILE] [--key-id ID | --default-key-id] [--format text|json]',
  flags: {
    'public-key': { type: 'string', short: ['K'], multiple: true, value: 'FILE', description: 'a public key; repeat for several (any one verifying is enough)' },
    signature: { type: 'string', short: ['S'], value: 'SIG_FILE', description: 'a detached signature' },
    'key-id': { type: 'string', value: 'ID', description: 'the key id the keys carry (text, or hex:...): a signature with another key id is refused' },
    'default-key-id': { type: 'boolean', description: "each key carries its wasmsign2 default key id (as wasmsign2's verify): a signature with another key id is refused" },
    policy: { type: 'string', value: 'FILE', description: "without --public-key: use this policy's signature.trustedKeys" },
    format: { type: 'string', value: 'text|json', description: 'output format (default text)' },
  },
  details: [
    "Without --public-key the trusted keys of the policy that governs the module are used.",
    'Key ids are not covered by the signature (wasmsign2 format): without --key-id or --default-key-id a key id is only a hint, and the output says it is unverified.',
    'Exit codes: 0 verified, 1 not verified (no signature, tampered, wrong key...), 2 usage or input error (missing or bad key file, no keys).',
  ],
  examples: ['wasm-warden verify app.wasm --public-key public.key', 'wasm-warden verify app.wasm -K a.pub -K b.pub --signature app.wasm.sig'],
  async run(argv, io) {
    const p = parseArgs(argv, { ...this.flags, ...commonFlags }, 'verify');
    const format = oneOf(p, 'format', ['text', 'json'] as const, 'text', 'verify');
    if (p.positionals.length !== 1) throw new CliError(`verify: expected one module, got ${p.positionals.length}`);
    const file = requireFile(p.positionals[0], 'verify');
    const publicKeys = list(p, 'public-key').map((k) => requireFile(k, 'verify', 'public key'));
    const signature = str(p, 'signature');
    if (signature !== undefined) requireFile(signature, 'verify', 'signature file');
    const store = makePolicyStore(str(p, 'policy'), 'verify');
    const keyId = str(p, 'key-id');
    const defaultKeyId = bool(p, 'default-key-id');
    if (keyId !== undefined && defaultKeyId) throw new CliError('verify: give either --key-id or --default-key-id, not both');
    const r: SignatureReport = signingErrors('verify', () => verifyFile(file, { publicKeys, signature, store, keyId, defaultKeyId }));
    warn(io, r.warnings);
    if (r.reason === 'no-keys') throw new CliError(`verify: ${r.message ?? 'no public key'} (give --public-key FILE)`);
    if (format === 'json') {
      io.out(JSON.stringify({ ...r, file: displayPath(r.file), verifiedBy: r.verifiedBy?.map((k) => displayPath(k)) }, null, 2) + '\n');
    } else if (r.verified) {
      io.out(`${paint(io, 'green', 'verified')} ${displayPath(file)} (key ${(r.verifiedBy ?? []).map((k) => displayPath(k)).join(', ')})${r.keyIdNote ? `; ${r.keyIdNote}` : ''}\n`);
    } else {
      io.out(`${paint(io, 'red', 'NOT verified')} ${displayPath(file)}: ${r.reason ?? 'failed'}${r.message ? `: ${r.message}` : ''}\n`);
    }
    return r.verified ? 0 : 1;
  },
};
