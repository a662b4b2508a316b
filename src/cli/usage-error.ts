// A problem with what the user typed (unknown flag, malformed value). main() maps it once to exit
// code 2 and a message, like most Unix tools; everything else that fails is exit code 1.
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
