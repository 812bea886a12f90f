/** Commands over the signing operations: keygen, sign, verify, show signatures. */
import { keygenFiles } from '../engine/operations/keygen';
import { showSignatures, signFile, verifyFile } from '../engine/operations/signatures';
import { ServerCommands } from '../protocol';
import { fileArg, target } from './toolchain';
import { alongsidePaths, outputPath } from '../engine/operations/output';
import type { CommandHandler } from '.';

const keygen: CommandHandler = async (_ws, raw) => {
  const a = (raw[0] ?? {}) as { secretKey?: string; publicKey?: string; format?: 'raw' | 'pem'; overwrite?: boolean; alongside?: boolean };
  if (!a.secretKey || !a.publicKey) throw new Error('keygen needs secretKey and publicKey paths');
  // `alongside`: the same numbered name for both keys, neither of which exists yet
  const [secretKey, publicKey] = a.alongside ? alongsidePaths([a.secretKey, a.publicKey]) : [a.secretKey, a.publicKey];
  return keygenFiles({ secretKey, publicKey, format: a.format, overwrite: a.overwrite });
};

const sign: CommandHandler = async (ws, raw) => {
  const { file, args } = fileArg(raw);
  const detached = args.detached === true ? `${file}.sig` : typeof args.detached === 'string' ? args.detached : undefined;
  const report = signFile(file, {
    secretKeyPath: typeof args.secretKey === 'string' ? args.secretKey : undefined,
    // secret storage hands the key over base64-encoded; it is never logged or returned
    secretKeyData: typeof args.secretKeyData === 'string' ? new Uint8Array(Buffer.from(args.secretKeyData, 'base64')) : undefined,
    detached,
    keyId: typeof args.keyId === 'string' ? args.keyId : undefined,
    // `copy`: an embedded signature in a signed copy beside the module (the module itself is left as it is)
    output: args.copy === true ? target(args, outputPath('${dir}/${name}.signed.${ext}', file)) : undefined,
    overwrite: args.overwrite === true,
  });
  if (report.output?.exists) return { ...report, exists: true, file: report.output.file };
  ws.recheckAll();
  return report;
};

const verify: CommandHandler = async (ws, raw) => {
  const { file, args } = fileArg(raw);
  const publicKeys = Array.isArray(args.publicKeys) ? (args.publicKeys as string[]) : [];
  return verifyFile(file, {
    publicKeys,
    signature: typeof args.signature === 'string' ? args.signature : undefined,
    store: ws.policies,
    keyId: typeof args.keyId === 'string' ? args.keyId : undefined,
    defaultKeyId: args.defaultKeyId === true,
  });
};

const show: CommandHandler = async (ws, raw) => {
  const { file } = fileArg(raw);
  return showSignatures(file, { publicKeys: [], store: ws.policies });
};

export const signingCommands = {
  [ServerCommands.keygen]: keygen,
  [ServerCommands.sign]: sign,
  [ServerCommands.verify]: verify,
  [ServerCommands.showSignatures]: show,
};
