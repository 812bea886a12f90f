/**
 * Choosing keys for signing and verification. A secret key comes from a file the user picks, or from
 * VS Code's secret storage; its bytes are never logged and never shown in a panel.
 */
import * as vscode from 'vscode';

const SECRET_NAME = 'wasmWarden.signingKey';

export async function resolveSecretKey(context: vscode.ExtensionContext): Promise<{ secretKey?: string; secretKeyData?: string } | undefined> {
  const stored = await context.secrets.get(SECRET_NAME);
  const choices = [
    { label: 'Pick a secret key file…', id: 'file' },
    ...(stored ? [{ label: 'Use the key in VS Code secret storage', id: 'stored' }] : []),
    { label: 'Store a key file in VS Code secret storage…', id: 'store' },
  ];
  const choice = choices.length === 2 && !stored ? choices[0] : await vscode.window.showQuickPick(choices, { title: 'Secret key for signing' });
  if (!choice) return undefined;
  if (choice.id === 'stored') return { secretKeyData: stored };
  const picked = await vscode.window.showOpenDialog({ title: 'Secret key (wasmsign2 raw, PEM or OpenSSH)', canSelectMany: false });
  if (!picked?.[0]) return undefined;
  if (choice.id === 'store') {
    const bytes = await vscode.workspace.fs.readFile(picked[0]);
    const data = Buffer.from(bytes).toString('base64');
    await context.secrets.store(SECRET_NAME, data);
    return { secretKeyData: data };
  }
  return { secretKey: picked[0].fsPath };
}

/** Public keys for verification: the policy's trusted keys are used by the server; the user may add files. */
export async function pickPublicKeys(): Promise<string[]> {
  const picked = await vscode.window.showOpenDialog({
    title: 'Public key(s) to verify with (cancel to use the policy\'s trusted keys)',
    canSelectMany: true,
  });
  return picked?.map((u) => u.fsPath) ?? [];
}
