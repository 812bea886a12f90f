/** Errors the CLI reports as a message (no stack trace), with exit code 2: usage and input problems. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Node I/O errors caused by the user's input (missing file, permissions, a folder given as a file). */
export function userIoError(err: unknown): string | undefined {
  const e = err as NodeJS.ErrnoException;
  const where = e?.path ? `${e.path}: ` : '';
  switch (e?.code) {
    case 'ENOENT':
      return `${where}no such file or directory`;
    case 'EACCES':
    case 'EPERM':
      return `${where}permission denied`;
    case 'EISDIR':
      return `${where}is a directory`;
    case 'ENOTDIR':
      return `${where}not a directory`;
    case 'EEXIST':
      return `${where}already exists`;
    case 'ENOSPC':
      return `${where}no space left on device`;
    case 'EROFS':
      return `${where}read-only file system`;
    default:
      return undefined;
  }
}
