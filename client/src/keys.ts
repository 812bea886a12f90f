/**
 * Choosing keys for signing and verification. A secret key comes from a file the user picks, or from
 * VS Code's secret storage; its bytes are never logged and never shown in a panel.
 */
import * as os from 'os';
import * as path from 'path';
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

/**
 * Where to save a new secret key. The save dialog starts outside the workspace (`~/.wasm-warden/keys/`);
 * a place inside a workspace folder needs an explicit choice after a warning (the default button picks
 * another place), and the key is then git-ignored (see gitIgnoreIfInWorkspace).
 */
export async function chooseSecretKeyFile(): Promise<vscode.Uri | undefined> {
  const keysDir = vscode.Uri.file(path.join(os.homedir(), '.wasm-warden', 'keys'));
  await vscode.workspace.fs.createDirectory(keysDir).then(undefined, () => undefined);
  // the folder, not a file in it: the dialog lists it and you name the key (e.g. release.key)
  let defaultUri = keysDir;
  for (;;) {
    const target = await vscode.window.showSaveDialog({ title: 'Save the secret key (outside the workspace)', saveLabel: 'Save secret key', defaultUri, filters: { 'Secret key': ['key', 'pem'] } });
    if (!target) return undefined;
    const folder = vscode.workspace.getWorkspaceFolder(target);
    if (!folder) return target;
    const answer = await vscode.window.showWarningMessage(
      `${path.basename(target.fsPath)} would be inside the workspace folder ${folder.name}, where a secret key can be committed or shared by mistake.`,
      { modal: true, detail: `Keys are best kept outside the workspace (e.g. ${keysDir.fsPath}). If you save it here, Wasm Warden adds it to the folder's .gitignore.` },
      CHOOSE_ANOTHER,
      SAVE_HERE,
    );
    if (answer === SAVE_HERE) return target;
    if (answer !== CHOOSE_ANOTHER) return undefined;
    defaultUri = keysDir;
  }
}

const CHOOSE_ANOTHER = 'Choose Another Place';
const SAVE_HERE = 'Save Here (git-ignored)';

/** A secret key written inside a workspace folder is added to that folder's .gitignore (once). */
export async function gitIgnoreIfInWorkspace(secretKey: vscode.Uri): Promise<void> {
  const folder = vscode.workspace.getWorkspaceFolder(secretKey);
  if (!folder) return;
  const rel = path.relative(folder.uri.fsPath, secretKey.fsPath).split(path.sep).join('/');
  const ignoreFile = vscode.Uri.joinPath(folder.uri, '.gitignore');
  let text = '';
  try {
    text = Buffer.from(await vscode.workspace.fs.readFile(ignoreFile)).toString('utf8');
  } catch {
    /* no .gitignore yet */
  }
  const line = `/${rel}`;
  if (text.split(/\r?\n/).some((l) => l.trim() === line || l.trim() === rel)) return;
  const sep = text === '' || text.endsWith('\n') ? '' : '\n';
  await vscode.workspace.fs.writeFile(ignoreFile, Buffer.from(`${text}${sep}# a Wasm Warden secret signing key: never commit it\n${line}\n`));
  void vscode.window.showWarningMessage(`The secret key ${rel} is inside the workspace: it was added to ${folder.name}/.gitignore. Keep it out of version control.`);
}

/**
 * Where the signature goes. The first (default) choice leaves the module as it is: a signed copy beside
 * it; rewriting the module in place is an explicit choice.
 */
export async function pickSignaturePlacement(module: vscode.Uri): Promise<{ copy?: boolean; detached?: boolean } | undefined> {
  const name = path.basename(module.fsPath);
  const ext = path.extname(name);
  const items = [
    { label: 'Signed copy', description: `${name.slice(0, name.length - ext.length)}.signed${ext}, embedded signature; ${name} stays as it is`, placement: { copy: true } },
    { label: 'Embedded signature, in place', description: `rewrites ${name}`, placement: {} },
    { label: 'Detached signature file', description: `${name}.sig; ${name} stays as it is`, placement: { detached: true } },
  ];
  return (await vscode.window.showQuickPick(items, { title: 'Signature placement' }))?.placement;
}
